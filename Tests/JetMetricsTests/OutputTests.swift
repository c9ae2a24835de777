import Foundation
import Testing
import JetMetrics

@Suite struct OutputTests {
    /// A fresh empty directory under the system temporary directory.
    private func makeDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("jetmetrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func sampleCurve() throws -> ROCCurve {
        try ROCCurve(
            scores: [0.9, 0.8, 0.7, 0.7, 0.4, 0.2], isSignal: [true, false, true, false, true, false],
            weights: [3, -1, -1, 2, 0.5, 1])
    }

    @Test func rocSummaryJSONHasStableKeysAndReadsBack() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let summary = try ROCSummary(sampleCurve(), workingPoints: [0.5, 0.9])
        let url = directory.appendingPathComponent("roc.json")
        try MetricsJSON.write(summary, to: url)
        #expect(try MetricsJSON.read(ROCSummary.self, from: url) == summary)

        let object = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        #expect(Set(object.keys) == ["auc", "auc_error", "signal", "background", "working_points", "curve", "warnings"])
        // A file written before the AUC error was reported still reads, without one.
        var older = object
        older["auc_error"] = nil
        try JSONSerialization.data(withJSONObject: older).write(to: url)
        let read = try MetricsJSON.read(ROCSummary.self, from: url)
        #expect(read.aucError == nil && read.auc == summary.auc)
        let signal = try #require(object["signal"] as? [String: Any])
        #expect(Set(signal.keys) == ["count", "sum_weights", "sum_weights_squared", "effective_sample_size"])
        let points = try #require(object["working_points"] as? [[String: Any]])
        #expect(Set(points[0].keys) == [
            "signal_efficiency", "signal_efficiency_error", "threshold", "background_efficiency",
            "background_efficiency_error", "background_rejection", "background_rejection_error",
        ])
        #expect(points[0]["background_rejection"] as? String == "inf")
        let curve = try #require(object["curve"] as? [String: Any])
        #expect(Set(curve.keys) == ["threshold", "signal_efficiency", "background_efficiency", "background_rejection"])
        #expect((curve["threshold"] as? [Any])?.first as? String == "inf")
        let warnings = try #require(object["warnings"] as? [[String: Any]])
        #expect(warnings.map { $0["code"] as? String } == ["efficiency_above_one", "negative_cumulative_weight"])
    }

    @Test func histogramAndMetricJSONKeys() throws {
        var histogram = try Histogram(edges: [0, 1, 2])
        try histogram.fill([0.5, 3, -1], weights: [2, 1, 1])
        let histogramData = try MetricsJSON.makeEncoder().encode(histogram)
        let histogramObject = try #require(JSONSerialization.jsonObject(with: histogramData) as? [String: Any])
        #expect(Set(histogramObject.keys) == [
            "edges", "sum_weights", "sum_weights_squared", "underflow", "overflow", "entries", "nan_count",
        ])
        #expect(try MetricsJSON.makeDecoder().decode(Histogram.self, from: histogramData) == histogram)

        let matrix = try ConfusionMatrix(trueClasses: [0, 1], predictedClasses: [1, 1], classCount: 2)
        let keys: [(any Encodable, Set<String>)] = [
            (matrix, ["class_count", "matrix"]),
            (try matrix.precisionRecall(classIndex: 1), ["class_index", "precision", "recall", "f1", "support", "warnings"]),
            (try histogram.chiSquare(comparedTo: histogram),
             ["chi2", "ndf", "chi2_per_ndf", "compared_bins", "skipped_bins"]),
            (try histogram.ratio(to: histogram), ["edges", "ratio", "error"]),
            (try WeightedSummary(values: [1, 2]), ["weights", "mean", "std", "quantile_probabilities", "quantiles"]),
            (try TaggingDiscriminant.atlasBTagging(bClass: 2, cClass: 1, lightClass: 0, charmFraction: 0.2),
             ["signal_class", "background_classes", "background_fractions", "epsilon"]),
        ]
        for (value, expected) in keys {
            let data = try MetricsJSON.makeEncoder().encode(value)
            let object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(Set(object.keys) == expected, "\(type(of: value))")
        }
    }

    @Test func curveAndHistogramCSVReadBack() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let roc = try sampleCurve()
        let url = directory.appendingPathComponent("roc.csv")
        try roc.csvTable.write(to: url)
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.first == "threshold,signal_efficiency,background_efficiency,background_rejection")
        #expect(lines.count == roc.count + 1)
        #expect(lines[1] == "inf,0.0,0.0,inf")
        let thirdRow = lines[3].split(separator: ",").map { Double(String($0)) }
        #expect(thirdRow == [Double(Float(0.8)), 1.2, -0.5, -2])

        var histogram = try Histogram(edges: [0, 0.5, 2])
        try histogram.fill([0.25, 1, 1], weights: [1, 2, 2])
        #expect(histogram.csvTable.text == """
            low_edge,high_edge,sum_weights,sum_weights_squared,error
            0.0,0.5,1.0,1.0,1.0
            0.5,2.0,4.0,8.0,\(8.0.squareRoot())

            """)
    }

    @Test func atomicWriteReplacesAndLeavesNoTemporaryFiles() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.txt")
        try AtomicFile.write("first", to: url)
        try AtomicFile.write("second", to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.txt"])

        let missing = directory.appendingPathComponent("no-such-dir/out.txt")
        #expect(throws: JetMetricsError.self) { try AtomicFile.write("x", to: missing) }
        #expect(!FileManager.default.fileExists(atPath: missing.path))
    }
}
