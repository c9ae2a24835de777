import Foundation
import JetMetrics
import Testing
@testable import JetReport

@Suite struct SaliencyOutputTests {
    /// Two ranks x two features, one selection and one jet, with integrated gradients.
    private func sampleReport() -> SaliencyReport {
        let names = ["deltaR", "pt_log"]
        let average = AveragedSaliency(
            selection: .passing(threshold: 0.7, name: "passing 50% (score >= 0.7)"), jetCount: 3, rankCounts: [3, 1],
            meanSigned: SaliencyMap(featureNames: names, values: [0.5, -0.25, 0.1, 0]),
            meanAbsolute: SaliencyMap(featureNames: names, values: [0.5, 0.25, 0.1, 0.2]))
        let jet = SingleJetSaliency(
            jetIndex: 4, label: 1, multiplicity: 1, score: 0.9, output: 2.2,
            map: SaliencyMap(featureNames: names, values: [0.3, -0.1, 0, 0]))
        return SaliencyReport(
            target: .binaryLogit, featureNames: names, maxConstituents: 2, jetCount: 3,
            gradient: SaliencyMaps(averages: [average], jets: [jet]),
            integratedGradients: IntegratedGradientsResult(
                options: IntegratedGradientsOptions(steps: 8), maps: SaliencyMaps(averages: [average], jets: []),
                completeness: CompletenessCheck(output: [2, 1], baselineOutput: [0, 0], attributionSum: [1.9, 1.2])))
    }

    @Test func writesJSONCSVAndHeatmapsOfEveryMap() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("saliency-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = sampleReport()
        try SaliencyOutput(report: report).write(to: directory)
        let map = "passing_50_score_0_7"
        let expected = [
            "saliency.json", "gradient_\(map).csv", "gradient_\(map)_signed.svg", "gradient_\(map)_absolute.svg",
            "integrated_gradients_\(map).csv", "integrated_gradients_\(map)_signed.svg",
            "integrated_gradients_\(map)_absolute.svg", "jet_4.csv", "jet_4_signed.svg",
        ]
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == expected.sorted())
        #expect(try MetricsJSON.read(SaliencyReport.self, from: directory.appendingPathComponent("saliency.json")) == report)
        let csv = try String(contentsOf: directory.appendingPathComponent("gradient_\(map).csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 4)
        for name in expected where name.hasSuffix(".svg") {
            let svg = try #require(ParsedXML.parse(try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)), "\(name)")
            #expect(svg.elements.filter { $0.name == "rect" && $0.group == "cells" }.count >= 2, "\(name)")
        }
        // The jet's map stops at its multiplicity: one rank of two features.
        let jetSVG = try #require(ParsedXML.parse(try String(contentsOf: directory.appendingPathComponent("jet_4_signed.svg"), encoding: .utf8)))
        #expect(jetSVG.elements.filter { $0.name == "rect" && $0.group == "cells" }.count == 2)
        #expect(jetSVG.elements.contains { $0.name == "text" && $0.text == "Jet 4, label 1, score 0.900, 1 constituents" })
    }

    @Test func summaryNamesTheLargestCellsAndTheCompletenessError() {
        let summary = SaliencyOutput.summary(sampleReport())
        #expect(summary.contains("passing 50% (score >= 0.7) (3 jets): deltaR[0] 0.5, pt_log[0] 0.25, pt_log[1] 0.2"))
        #expect(summary.contains("integrated gradients (8 steps): completeness error max 0.2, mean 0.15"))
    }

    @Test func slugsKeepLettersAndDigits() {
        #expect(SaliencyOutput.slug("failing 77% (score < 0.5)") == "failing_77_score_0_5")
        #expect(SaliencyOutput.slug("top jets") == "top_jets")
    }
}
