import Foundation
import JetMetrics
import JetModels
import JetNN
import JetSaliency
import Testing

@Suite struct SaliencyOutputTests {
    private func sampleReport() throws -> SaliencyReport {
        let (model, _) = try linearDeepSets()
        let jets = try randomJets(multiplicities: [3, 1, 2], features: 3, seed: 41)
        let options = SaliencyOptions(
            target: .discriminant(try TaggingDiscriminant(signalClass: 1, backgroundFractions: [(0, 1)])),
            featureNames: ["pt_log", "deta", "dphi"], maxConstituents: 4,
            selections: [.all, .label(1), .passing(threshold: 0.5)], jetIndices: [0, 2],
            integratedGradients: IntegratedGradientsOptions(steps: 8, rule: .trapezoid, baseline: [0.5, 0, 0]))
        return try SaliencyAnalysis.run(
            model: model, jets: jets, labels: [0, 1, 1], scores: [0.2, 0.6, 0.9], options: options)
    }

    private func object(_ value: Any?) throws -> [String: Any] {
        try #require(value as? [String: Any])
    }

    @Test func reportJSONHasStableKeysAndReadsBack() throws {
        let report = try sampleReport()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("saliency-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("saliency.json")
        try MetricsJSON.write(report, to: url)
        #expect(try MetricsJSON.read(SaliencyReport.self, from: url) == report)

        let root = try object(JSONSerialization.jsonObject(with: Data(contentsOf: url)))
        #expect(Set(root.keys) == [
            "target", "feature_names", "max_constituents", "jet_count", "gradient", "integrated_gradients",
        ])
        #expect(Set(try object(root["target"]).keys) == ["kind", "discriminant"])
        let gradient = try object(root["gradient"])
        #expect(Set(gradient.keys) == ["averages", "jets"])
        let averages = try #require(gradient["averages"] as? [[String: Any]])
        #expect(Set(averages[1].keys) == ["selection", "jet_count", "rank_counts", "mean_signed", "mean_absolute"])
        #expect(Set(try object(averages[1]["selection"]).keys) == ["name", "label"])
        let map = try object(averages[1]["mean_signed"])
        #expect(Set(map.keys) == ["feature_names", "values"])
        #expect((map["values"] as? [[Double]])?.map(\.count) == [3, 3, 3, 3], "P = 4 ranks of F = 3 features")
        let jets = try #require(gradient["jets"] as? [[String: Any]])
        #expect(Set(jets[0].keys) == ["jet_index", "label", "multiplicity", "score", "output", "map"])
        let integrated = try object(root["integrated_gradients"])
        #expect(Set(integrated.keys) == ["options", "maps", "completeness"])
        #expect(Set(try object(integrated["options"]).keys) == ["steps", "rule", "baseline"])
        #expect(Set(try object(integrated["completeness"]).keys) == [
            "output", "baseline_output", "attribution_sum", "absolute_error", "relative_error",
            "max_absolute_error", "mean_absolute_error", "max_relative_error", "mean_relative_error",
        ])

        let logit = try MetricsJSON.makeEncoder().encode(SaliencyTarget.logit(index: 2))
        #expect(Set(try object(JSONSerialization.jsonObject(with: logit)).keys) == ["kind", "logit_index"])
        #expect(try MetricsJSON.makeDecoder().decode(SaliencyTarget.self, from: logit) == .logit(index: 2))
    }

    @Test func csvTablesReadBack() throws {
        let report = try sampleReport()
        let average = report.gradient.averages[0]
        let lines = average.csvTable.text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "feature,rank,mean_signed,mean_absolute,jets_at_rank")
        #expect(lines.count == 1 + 4 * 3)
        for (index, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",").map(String.init)
            let (rank, feature) = (index / 3, index % 3)
            #expect(fields[0] == report.featureNames[feature])
            #expect(fields.dropFirst().map { Double($0) } == [
                Double(rank), average.meanSigned[rank, feature], average.meanAbsolute[rank, feature],
                Double(average.rankCounts[rank]),
            ])
        }

        let jet = report.gradient.jets[1]
        let jetLines = jet.csvTable.text.split(separator: "\n").map(String.init)
        #expect(jetLines[0] == "feature,rank,signed,absolute")
        let row = jetLines[4].split(separator: ",").map(String.init)
        #expect(row[0] == "pt_log")
        #expect(row.dropFirst().map { Double($0) } == [1, jet.map[1, 0], abs(jet.map[1, 0])])

        let quoted = CSVTable(
            textColumns: [CSVTable.TextColumn(name: "feature", values: ["pt, log", "say \"hi\""])],
            columns: [("value", [1, 2])])
        #expect(quoted.text == "feature,value\n\"pt, log\",1.0\n\"say \"\"hi\"\"\",2.0\n")
    }

    @Test func badInputsAreReportedBeforeAnyWork() throws {
        let (model, _) = try linearDeepSets()
        let jets = try randomJets(multiplicities: [2, 1], features: 3, seed: 42)
        let names = ["a", "b", "c"]
        func run(_ options: SaliencyOptions, labels: [Int]? = nil, scores: [Float]? = nil) throws {
            _ = try SaliencyAnalysis.run(model: model, jets: jets, labels: labels, scores: scores, options: options)
        }
        #expect(throws: JetMetricsError.invalidArgument(
            name: "constituent features", value: "3 per constituent", expected: "2, one per feature name (a, b)")) {
            try run(SaliencyOptions(featureNames: ["a", "b"], maxConstituents: 2))
        }
        #expect(throws: JetMetricsError.invalidArgument(
            name: "labels", value: "none", expected: "per-jet labels for the selection 'label 1'")) {
            try run(SaliencyOptions(featureNames: names, maxConstituents: 2, selections: [.label(1)]))
        }
        #expect(throws: JetMetricsError.lengthMismatch(array: "scores", expected: 2, got: 1)) {
            try run(SaliencyOptions(featureNames: names, maxConstituents: 2), scores: [0.5])
        }
        #expect(throws: JetMetricsError.invalidArgument(
            name: "saliency logit index", value: "1", expected: "an index below the model's 1 logits")) {
            try run(SaliencyOptions(target: .logit(index: 1), featureNames: names, maxConstituents: 2))
        }
        let threeClasses = try TaggingDiscriminant(signalClass: 2, backgroundFractions: [(0, 1)])
        #expect(throws: JetMetricsError.classOutOfRange(
            array: "saliency discriminant classes", index: 0, value: 2, classCount: 2)) {
            try run(SaliencyOptions(target: .discriminant(threeClasses), featureNames: names, maxConstituents: 2))
        }
        #expect(throws: JetMetricsError.invalidArgument(
            name: "integrated gradients steps", value: "0", expected: "a positive integer")) {
            try run(SaliencyOptions(
                featureNames: names, maxConstituents: 2, integratedGradients: IntegratedGradientsOptions(steps: 0)))
        }
        #expect(throws: JetMetricsError.lengthMismatch(array: "integrated gradients baseline", expected: 3, got: 2)) {
            try run(SaliencyOptions(
                featureNames: names, maxConstituents: 2,
                integratedGradients: IntegratedGradientsOptions(baseline: [0, 0])))
        }
    }
}
