import Foundation
import JetData
import JetTestSupport
import Testing

@Suite struct FileInspectionTests {
    private struct Reference: Decodable {
        var jets: Int
        var constituentSlots: Int
        var labelCounts: [String: Int]
        var weightSum: Double
        var weightMin: Float
        var weightMax: Float
        var negativeFraction: Double
        var multiplicityMean: Double
        var multiplicityMax: Int
    }

    @Test func statisticsAgreeWithNumpy() throws {
        let url = Bundle.module.url(forResource: "Fixtures/expected_inspection", withExtension: "json")!
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        let inspection = try FileInspection.inspect(path: fixture("compound.h5"), threads: 2)
        #expect(inspection.layout == .compound(CompoundLayout()))
        #expect(inspection.jets == reference.jets && inspection.constituentSlots == reference.constituentSlots)
        #expect(inspection.labelCounts == reference.labelCounts)
        #expect(inspection.labelNames == ["qcd", "top"])
        let weights = try #require(inspection.weights)
        #expect(abs(weights.sum - reference.weightSum) < 1e-9 * abs(reference.weightSum) + 1e-6)
        #expect(weights.min == reference.weightMin && weights.max == reference.weightMax)
        #expect(weights.negativeFraction == reference.negativeFraction)
        let multiplicity = try #require(inspection.multiplicity)
        #expect(abs(multiplicity.mean - reference.multiplicityMean) < 1e-12)
        #expect(multiplicity.max == reference.multiplicityMax)

        let constituents = try #require(inspection.datasets.first { $0.path == "/constituents" })
        #expect(constituents.shape == [70, 12] && constituents.chunks == [16, 12])
        #expect(constituents.filters == ["shuffle", "deflate(4)"])
        #expect(constituents.fields.map(\.type) == ["float32", "float32", "float32", "float32", "int8", "int32", "enum(int8)"])
        #expect(inspection.report.contains("Labels: 0 (qcd): 46, 1 (top): 24"))
    }

    @Test func pandasFrameHasNoWeights() throws {
        let inspection = try FileInspection.inspect(path: fixture("pandas_fixed.h5"))
        #expect(inspection.layout == .pandas(PandasLayout()))
        #expect(inspection.weights == nil && inspection.labelCounts?.values.reduce(0, +) == 40)
        #expect(inspection.constituentSlots == 200)
    }

    /// A per-jet output (what predict writes) has no constituents: its datasets are listed, the jet part is nil.
    @Test func perJetOutputListsItsDatasets() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("scores.h5")
        let writer = try JetOutputWriter(path: path, fields: ["tagger_p1"])
        try writer.append(jetIndices: [0, 1], eventNumbers: [7, 8], values: ["tagger_p1": [0.25, 0.75]])
        try writer.finish()
        let inspection = try FileInspection.inspect(path: path)
        #expect(inspection.layout == nil && inspection.jets == nil && inspection.multiplicity == nil)
        #expect(inspection.datasets.map(\.path) == ["/jets"])
        #expect(inspection.datasets[0].fields.map(\.name) == ["jet_index", "event_number", "tagger_p1"])
        #expect(inspection.report.hasSuffix("Layout: a per-jet output of JetTag (no constituents to summarise)"))
    }
}
