import Foundation
import JetMetrics
import Testing

@Suite struct ClosureTests {
    /// Two bins [0, 1), [1, 2). Source at 0.5, 1.5, 1.5 with old weights 1, 1, 2 and new weights 2, 1, 1;
    /// target at 0.5, 1.5 with weights 1, 1.
    private func closure() throws -> ObservableClosure {
        try ObservableClosure(
            name: "mass", edges: [0, 1, 2], source: [0.5, 1.5, 1.5], oldWeights: [1, 1, 2], newWeights: [2, 1, 1],
            target: [0.5, 1.5], targetWeights: [1, 1])
    }

    @Test func chiSquareAndRatiosMatchHandComputation() throws {
        let closure = try closure()
        // Shapes: source [1, 3] / 4 with sum w^2 [1, 5] / 16; target [1, 1] / 2 with [1, 1] / 4.
        // chi2 before = 0.25^2 / (1/16 + 1/4) + 0.25^2 / (5/16 + 1/4) = 0.2 + 1/9; after: shapes equal.
        #expect(abs(closure.chi2Before.chi2 - (0.2 + 1.0 / 9)) < 1e-12)
        #expect(closure.chi2Before.ndf == 1)
        #expect(closure.chi2After.chi2 == 0)
        #expect(closure.sourceOverTarget.ratio == [0.5, 1.5])
        #expect(closure.reweightedOverTarget.ratio == [1, 1])
        // ratio error bin 0 before: sqrt((1/16) / (1/4) + 0.5^2 * (1/4) / (1/4)) = sqrt(0.5)
        #expect(abs(closure.sourceOverTarget.error[0] - 0.5.squareRoot()) < 1e-12)
        #expect(closure.reweighted.sumWeights == [2, 2])
        let csv = closure.csvTable
        #expect(csv.columnNames.prefix(4) == ["low_edge", "high_edge", "source", "source_error"])
        #expect(csv.columns[csv.columnNames.firstIndex(of: "source")!] == [0.25, 0.75])
    }

    @Test func weightDiagnosticsMatchHandComputation() throws {
        let diagnostics = try WeightDiagnostics(old: [1, 1, 2], new: [2, 1, 1])
        // ESS = (sum w)^2 / sum w^2 = 16 / 6 both; factors new/old 2, 1, 0.5.
        #expect(abs(diagnostics.before.effectiveSampleSize - 16.0 / 6) < 1e-12)
        #expect(abs(diagnostics.after.effectiveSampleSize - 16.0 / 6) < 1e-12)
        let quantiles = Dictionary(uniqueKeysWithValues: zip(WeightDiagnostics.quantileProbabilities, diagnostics.factorQuantiles))
        #expect(quantiles[0] == 0.5 && quantiles[0.5] == 1 && quantiles[1] == 2)
        #expect(diagnostics.factorHistogram.inRange.count == 3)
        let signed = try WeightDiagnostics(old: [1, -1, 2, 3], new: [-1, -1, 2, 3])
        #expect(signed.fractionNegativeBefore == 0.25 && signed.fractionNegativeAfter == 0.5)
        #expect(throws: JetMetricsError.self) { try WeightDiagnostics(old: [1], new: [1, 2]) }
    }

    @Test func quantileEdgesMergeRepeatedValuesAndCoverTheRange() throws {
        #expect(try ObservableClosure.quantileEdges([1, 1, 1, 2, 2, 3], bins: 3) == [1, 2, Double(3).nextUp])
        #expect(try ObservableClosure.quantileEdges([1, 2, 3, 4], bins: 2, range: 0...9) == [0, 3, Double(9).nextUp])
        #expect(throws: JetMetricsError.self) { try ObservableClosure.quantileEdges([1], bins: 2) }
    }

    @Test func reportWritesSnakeCaseJSONAndCSVs() throws {
        let report = ClosureReport(
            observables: [try closure()], weights: try WeightDiagnostics(old: [1, 1, 2], new: [2, 1, 1]),
            twoSample: TwoSampleAUC(aucBeforeRuns: [0.6, 0.62], aucAfterRuns: [0.5, 0.52], trainingJets: 10, testJets: 10), counters: ["capped": 2])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("closure-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try report.write(to: directory)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("closure.json"))) as! [String: Any]
        #expect(Set(json.keys) == ["observables", "weights", "two_sample", "counters"])
        let observable = (json["observables"] as! [[String: Any]])[0]
        #expect(Set(observable.keys).isSuperset(of: ["chi2_before", "chi2_after", "source_over_target", "reweighted_over_target"]))
        #expect((json["two_sample"] as! [String: Any])["auc_after"] as? Double == 0.51)
        #expect((json["two_sample"] as! [String: Any])["auc_before_runs"] as? [Double] == [0.6, 0.62])
        #expect(try MetricsJSON.read(ClosureReport.self, from: directory.appendingPathComponent("closure.json")) == report)
        let summary = try String(contentsOf: directory.appendingPathComponent("closure_summary.csv"), encoding: .utf8)
        #expect(summary.hasPrefix("observable,chi2_before,ndf_before,chi2_per_ndf_before,chi2_after"))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("closure_mass.csv").path))
    }

    /// The spread of the reweighted shape over weight variations and the chi2 with it, against numpy
    /// (Fixtures/closure_variations.json, Tests/Scripts/make_closure_variation_fixtures.py); it is written to the
    /// observable's CSV, the summary CSV and the JSON, and read back.
    @Test func variationSpreadMatchesNumpy() throws {
        struct Reference: Decodable {
            var edges: [Double]
            var source, target, oldWeights, newWeights, targetWeights: [Float]
            var variationWeights: [[Float]]
            var spread: [Double]
            var chi2AfterWithVariations, chi2After: Double
            var ndf: Int
        }
        let reference = try loadFixture(Reference.self, named: "closure_variations", madeBy: "make_closure_variation_fixtures.py")
        let closure = try ObservableClosure(
            name: "x", edges: reference.edges, source: reference.source, oldWeights: reference.oldWeights,
            newWeights: reference.newWeights, target: reference.target, targetWeights: reference.targetWeights,
            variationWeights: reference.variationWeights)
        let spread = try #require(closure.variationSpread)
        #expect(spread.count == reference.spread.count)
        for (ours, theirs) in zip(spread, reference.spread) { #expect(abs(ours - theirs) <= 1e-12 + 1e-9 * theirs, "\(ours) vs \(theirs)") }
        let chi2 = try #require(closure.chi2AfterWithVariations)
        #expect(abs(chi2.chi2 - reference.chi2AfterWithVariations) < 1e-9 * reference.chi2AfterWithVariations)
        #expect(abs(closure.chi2After.chi2 - reference.chi2After) < 1e-9 * reference.chi2After)
        #expect(chi2.ndf == reference.ndf && chi2.chi2 < closure.chi2After.chi2)

        let csv = closure.csvTable
        let target = try closure.target.normalized().sumWeights
        #expect(csv.columns[csv.columnNames.firstIndex(of: "reweighted_variation_spread")!] == spread)
        #expect(csv.columns[csv.columnNames.firstIndex(of: "reweighted_over_target_variation_spread")!] == zip(spread, target).map { $0 / $1 })
        let report = ClosureReport(
            observables: [closure], weights: try WeightDiagnostics(old: reference.oldWeights, new: reference.newWeights),
            twoSample: nil, counters: [:], variations: WeightVariationsSummary(count: 5, kind: "bootstrap"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("closure-var-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try report.write(to: directory)
        #expect(try MetricsJSON.read(ClosureReport.self, from: directory.appendingPathComponent("closure.json")) == report)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("closure.json"))) as! [String: Any]
        #expect((json["variations"] as? [String: Any])?["count"] as? Int == 5)
        #expect(((json["observables"] as! [[String: Any]])[0]["variation_spread"] as? [Double])?.count == spread.count)
        let summary = try String(contentsOf: directory.appendingPathComponent("closure_summary.csv"), encoding: .utf8)
        #expect(summary.hasPrefix("observable,chi2_before,ndf_before,chi2_per_ndf_before,chi2_after,ndf_after,chi2_per_ndf_after,chi2_after_with_variations,chi2_per_ndf_after_with_variations"))

        // One variation has no spread.
        #expect(throws: JetMetricsError.self) {
            try ObservableClosure(
                name: "x", edges: reference.edges, source: reference.source, oldWeights: reference.oldWeights,
                newWeights: reference.newWeights, target: reference.target, targetWeights: reference.targetWeights,
                variationWeights: [reference.newWeights])
        }
        // Without variations nothing of them appears.
        #expect(try self.closure().variationSpread == nil && self.closure().csvTable.columnNames.count == 12)
    }
}
