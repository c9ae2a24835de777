import Foundation
import JetData
import Testing

/// Every layout read against the values numpy computed from the same files (expected.json).
@Suite struct LayoutReadingTests {
    @Test func compoundChunkedGzipShuffle() throws {
        try checkAgainstExpected("compound.h5")
    }

    @Test func everyNumericTypeAndByteOrder() throws {
        var layout = CompoundLayout()
        layout.eventNumberField = nil  // types.h5 has no event numbers
        try checkAgainstExpected("types.h5", layout: .compound(layout))
    }

    @Test func nonPrefixValidEntriesAreMovedFirst() throws {
        try checkAgainstExpected("tracks_gaps.h5", layout: tracksWithoutEventNumbers)
    }

    @Test func columnsWithMaskAndWithCount() throws {
        try checkAgainstExpected("columns_mask.h5")
        var countLayout = ColumnsLayout(mask: nil, count: "jet_nparticles")
        countLayout.eventNumber = nil
        try checkAgainstExpected("columns_count.h5", layout: .columns(countLayout))
    }

    @Test func denseWithNamesFromAttributes() throws {
        try checkAgainstExpected("dense.h5")
    }

    @Test func denseWithNamesFromCallerAndPtMask() throws {
        var layout = DenseLayout(
            particleFeatureNames: ["etarel", "phirel", "ptrel"], jetFeatureNames: ["type", "pt", "eta", "mass", "num_particles"])
        layout.maskFeature = nil
        try checkAgainstExpected("dense_unnamed.h5", layout: .dense(layout))
    }

    @Test func pandasFixedFrameFourVectors() throws {
        // pt, eta, phi from float32 four-vectors: numpy float64 vs Swift Double agree to float32 rounding
        try checkAgainstExpected("pandas_fixed.h5", tolerance: 2e-6)
    }

    @Test func missingEventNumbersAreAnErrorUnlessTheLayoutSaysRowIndices() throws {
        let tracks = fixture("tracks_gaps.h5")
        #expect(throws: JetDataError.missingField(file: tracks, dataset: "jets", field: "event_number", available: ["pt", "label"])) {
            try JetStream(file: tracks, options: JetReadOptions(jetFields: ["pt"])).readAll()
        }
        let count = fixture("columns_count.h5")
        #expect(throws: JetDataError.missingDataset(file: count, dataset: "event_number")) {
            try JetStream(file: count, options: JetReadOptions(jetFields: ["pt"])).readAll()
        }
        let batch = try JetStream(file: tracks, options: JetReadOptions(layout: tracksWithoutEventNumbers, jetFields: ["pt"])).readAll()
        #expect(batch.eventNumbers == (0..<20).map(Int64.init))
    }

    @Test func detectsEveryLayout() throws {
        #expect(try detectLayout(path: fixture("compound.h5")) == .compound(CompoundLayout()))
        #expect(try detectLayout(path: fixture("tracks_gaps.h5")) == .compound(CompoundLayout(constituents: "tracks")))
        #expect(try detectLayout(path: fixture("columns_mask.h5")) == .columns(ColumnsLayout()))
        #expect(try detectLayout(path: fixture("columns_count.h5")) == .columns(ColumnsLayout(mask: nil, count: "jet_nparticles")))
        #expect(try detectLayout(path: fixture("dense.h5")) == .dense(DenseLayout()))
        #expect(try detectLayout(path: fixture("pandas_fixed.h5")) == .pandas(PandasLayout()))
    }

    @Test func layoutCodableRoundTripWithDefaults() throws {
        let decoded = try JSONDecoder().decode(JetFileLayout.self, from: Data(#"{"kind": "compound", "constituents": "flow"}"#.utf8))
        #expect(decoded == .compound(CompoundLayout(constituents: "flow")))
        let columns = try JSONDecoder().decode(JetFileLayout.self, from: Data(#"{"kind": "columns", "count": "n"}"#.utf8))
        #expect(columns == .columns(ColumnsLayout(mask: nil, count: "n")))
        for layout: JetFileLayout in [.compound(CompoundLayout()), .columns(ColumnsLayout()), .dense(DenseLayout(particleFeatureNames: ["a"])), .pandas(PandasLayout())] {
            #expect(try JSONDecoder().decode(JetFileLayout.self, from: JSONEncoder().encode(layout)) == layout)
        }
    }
}

/// tracks_gaps.h5 has no event numbers: its layout numbers events by row.
let tracksWithoutEventNumbers: JetFileLayout = {
    var layout = CompoundLayout(constituents: "tracks")
    layout.eventNumberField = nil
    return .compound(layout)
}()
