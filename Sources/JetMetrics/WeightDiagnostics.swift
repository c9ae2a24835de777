/// The weights before and after reweighting: totals, fraction negative, effective sample sizes, and the
/// distribution of the per-jet factor new / old.
///
/// JSON keys: `before`, `after` (``WeightSums`` with `effective_sample_size`), `fraction_negative_before`,
/// `fraction_negative_after`, `factor_quantiles` (quantile -> new / old at the probabilities
/// `quantileProbabilities`), `factor_histogram`.
public struct WeightDiagnostics: Codable, Equatable, Sendable {
    /// Probabilities at which ``factorQuantiles`` are given (0 and 1 are the extremes).
    public static let quantileProbabilities = [0, 0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1]

    public var before: WeightSums
    public var after: WeightSums
    public var fractionNegativeBefore: Double
    public var fractionNegativeAfter: Double
    /// new / old per jet at ``quantileProbabilities`` (unweighted quantiles over the jets with old weight != 0).
    public var factorQuantiles: [Double]
    /// Unweighted histogram of new / old, 50 bins from 0 to the largest factor.
    public var factorHistogram: Histogram

    /// - Parameters:
    ///   - old, new: the weights [N] of the same jets before and after.
    public init(old: [Float], new: [Float]) throws(JetMetricsError) {
        guard old.count == new.count else { throw .lengthMismatch(array: "new weights", expected: old.count, got: new.count) }
        guard !old.isEmpty else { throw .emptyClass(name: "weights") }
        before = WeightSums(weights: old)
        after = WeightSums(weights: new)
        fractionNegativeBefore = Double(old.filter { $0 < 0 }.count) / Double(old.count)
        fractionNegativeAfter = Double(new.filter { $0 < 0 }.count) / Double(new.count)
        let factors = zip(new, old).compactMap { n, o in o != 0 ? Double(n / o) : nil }.sorted()
        factorQuantiles = Self.quantileProbabilities.map { p in
            factors.isEmpty ? .nan : factors[min(Int(p * Double(factors.count)), factors.count - 1)]
        }
        factorHistogram = try Histogram(binCount: 50, lowerEdge: min(0, factors.first ?? 0), upperEdge: max((factors.last ?? 1).nextUp, 1e-12))
        for factor in factors { factorHistogram.fill(factor) }
    }

    private enum CodingKeys: String, CodingKey {
        case before, after
        case fractionNegativeBefore = "fraction_negative_before", fractionNegativeAfter = "fraction_negative_after"
        case factorQuantiles = "factor_quantiles", factorHistogram = "factor_histogram"
    }
}
