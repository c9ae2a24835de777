import Foundation
import JetData
import Testing

/// Every layout read against the values numpy computed from the same files (expected.json).
@Suite struct LayoutReadingTests {
    @Test func compoundChunkedGzipShuffle() throws {
        try checkAgainstExpected("compound.h5")
    }

    @Test func everyNumericTypeAndByteOrder() throws {
        try checkAgainstExpected("types.h5")
    }

    @Test func nonPrefixValidEntriesAreMovedFirst() throws {
        try checkAgainstExpected("tracks_gaps.h5")
    }

    @Test func columnsWithMaskAndWithCount() throws {
        try checkAgainstExpected("columns_mask.h5")
        try checkAgainstExpected("columns_count.h5")
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
