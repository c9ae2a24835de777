import Foundation
import Testing
import JetMetrics

/// Fixtures/metrics_reference.json, written by Tests/Scripts/make_metrics_fixtures.py
/// (scikit-learn and numpy values for positive weights). Re-run that script if a key is missing.
struct MetricsReference: Decodable {
    struct Binary: Decodable {
        var scores: [Float]
        var isSignal: [Bool]
        var weights: [Float]
        var rocAuc: Double
        var fpr: [Double]
        var tpr: [Double]
        var thresholds: [Double]
        var threshold: Float
        var confusionMatrix: [[Double]]
        var precision: Double
        var recall: Double
        var f1: Double
    }

    struct Multiclass: Decodable {
        var labels: [Int]
        var probabilities: [Float]
        var weights: [Float]
        var confusionMatrix: [[Double]]
        var precision: [Double]
        var recall: [Double]
        var f1: [Double]
        var support: [Double]
        var rocAuc1VsRest: Double
        var rocAuc1Vs0: Double
    }

    struct ReferenceHistogram: Decodable {
        var edges: [Double]
        var sumWeights: [Double]
        var sumWeightsSquared: [Double]
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
        var quantileProbabilities: [Double]
        var quantiles: [Double]
        var effectiveSampleSize: Double
    }

    struct KolmogorovSmirnov: Decodable {
        var first: [Float]
        var second: [Float]
        var firstWeights: [Float]
        var secondWeights: [Float]
        var unweightedScipy: Double
        var weighted: Double
        var weightedSymmetrizedHepMl: Double
    }

    var binary: Binary
    var multiclass: Multiclass
    var histograms: Histograms
    var summary: Summary
    var kolmogorovSmirnov: KolmogorovSmirnov

    static func load() throws -> MetricsReference {
        try loadFixture(MetricsReference.self, named: "metrics_reference", madeBy: "make_metrics_fixtures.py")
    }
}
