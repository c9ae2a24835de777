import JetMetrics
import JetTestSupport
import Testing

@Suite struct WeightedSummaryTests {
    @Test func meanStdQuantilesAndESSMatchNumpy() throws {
        let reference = try MetricsReference.load()
        let summary = try WeightedSummary(
            values: reference.histograms.values, weights: reference.histograms.weights,
            quantileProbabilities: reference.summary.quantileProbabilities)
        expectClose(summary.mean, reference.summary.mean, tolerance: DoubleTolerance.reference, "mean")
        expectClose(summary.std, reference.summary.std, tolerance: DoubleTolerance.reference, "std")
        expectClose(summary.quantiles, reference.summary.quantiles, "quantiles")
        expectClose(summary.weights.effectiveSampleSize, reference.summary.effectiveSampleSize,
                    tolerance: DoubleTolerance.reference, "ESS")
    }

    /// Values [1, 2, 3], weights [2, -1, 1]: sum w = 2, mean = (2 - 2 + 3)/2 = 1.5,
    /// variance = (2 (0.25) - 1 (0.25) + 1 (2.25))/2 = 1.25. Cumulative weights in value order: 2, 1, 2,
    /// so every quantile up to q = 1 (target 2) is reached at the first value.
    @Test func negativeWeightsByHand() throws {
        let summary = try WeightedSummary(values: [3, 1, 2], weights: [1, 2, -1], quantileProbabilities: [0.5, 1])
        expectClose(summary.mean, 1.5, "mean")
        expectClose(summary.std, 1.25.squareRoot(), "std")
        #expect(summary.quantiles == [1, 1])
        #expect(summary.weights == WeightSums(count: 3, sumWeights: 2, sumWeightsSquared: 6))
    }

    /// Weights [1, 2, -1, 3]: (1 + 2 - 1 + 3)^2 / (1 + 4 + 1 + 9) = 25 / 15.
    @Test func effectiveSampleSizeByHand() {
        expectClose(effectiveSampleSize(weights: [1, 2, -1, 3]), 25.0 / 15, "ESS")
        #expect(effectiveSampleSize(weights: [1, 1, 1]) == 3)
        #expect(effectiveSampleSize(weights: []) == 0)
    }

    @Test func rejectsNonPositiveSumsAndBadProbabilities() {
        #expect(throws: JetMetricsError.nonPositiveWeightSum(name: "summarised", sumOfWeights: -1, count: 2)) {
            try WeightedSummary(values: [1, 2], weights: [1, -2])
        }
        #expect(throws: JetMetricsError.self) { try WeightedSummary(values: [1, 2], quantileProbabilities: [1.5]) }
        #expect(throws: JetMetricsError.emptyClass(name: "summarised")) { try WeightedSummary(values: []) }
    }
}
