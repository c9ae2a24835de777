import Foundation
import Testing
import JetMetrics

/// Fixtures/metrics_reference.json, written by Tests/Scripts/make_metrics_fixtures.py
/// (scikit-learn and numpy values for positive weights). Re-run that script if a key is missing.
struct MetricsReference: Decodable {
    struct Binary: Decodable {
        var scores: [Float]
        var is_signal: [Bool]
        var weights: [Float]
        var roc_auc: Double
        var fpr: [Double]
        var tpr: [Double]
        var thresholds: [Double]
        var threshold: Float
        var confusion_matrix: [[Double]]
        var precision: Double
        var recall: Double
        var f1: Double
    }

    struct Multiclass: Decodable {
        var labels: [Int]
        var probabilities: [Float]
        var weights: [Float]
        var confusion_matrix: [[Double]]
        var precision: [Double]
        var recall: [Double]
        var f1: [Double]
        var support: [Double]
        var roc_auc_1_vs_rest: Double
        var roc_auc_1_vs_0: Double
    }

    struct ReferenceHistogram: Decodable {
        var edges: [Double]
        var sum_weights: [Double]
        var sum_weights_squared: [Double]
        var underflow: Double
        var overflow: Double
    }

    struct Histograms: Decodable {
        var values: [Float]
        var weights: [Float]
        var uniform: ReferenceHistogram
        var variable: ReferenceHistogram
    }

    struct Summary: Decodable {
        var mean: Double
        var std: Double
        var quantile_probabilities: [Double]
        var quantiles: [Double]
        var effective_sample_size: Double
    }

    var binary: Binary
    var multiclass: Multiclass
    var histograms: Histograms
    var summary: Summary

    static func load() throws -> MetricsReference {
        let url = try #require(
            Bundle.module.url(forResource: "metrics_reference", withExtension: "json", subdirectory: "Fixtures"),
            "Fixtures/metrics_reference.json is missing: run python3 Tests/Scripts/make_metrics_fixtures.py")
        return try MetricsJSON.makeDecoder().decode(MetricsReference.self, from: Data(contentsOf: url))
    }
}
