/// Weighted mean, standard deviation and quantiles of a variable, with signed weights.
///
/// mean = sum w x / sum w; std = sqrt(sum w (x - mean)^2 / sum w) (numpy.average's definition; NaN when
/// negative weights make the variance negative); quantile q = the smallest value x_k (values sorted
/// ascending, equal values as one step) whose cumulative weight reaches q * sum w (numpy.quantile's
/// `inverted_cdf` method). Sorting is a radix sort, linear in N.
///
/// JSON keys: `weights` (``WeightSums``), `mean`, `std`, `quantile_probabilities`, `quantiles`.
public struct WeightedSummary: Codable, Equatable, Sendable {
    public var weights: WeightSums
    public var mean: Double
    public var std: Double
    public var quantileProbabilities: [Double]
    public var quantiles: [Double]

    /// Summarises `values`.
    ///
    /// - Parameters:
    ///   - values: N finite values.
    ///   - weights: N signed weights with a positive sum, or `nil` for unit weights.
    ///   - quantileProbabilities: probabilities in [0, 1] at which to give quantiles.
    public init(values: [Float], weights: [Float]? = nil, quantileProbabilities: [Double] = [0.16, 0.5, 0.84])
        throws(JetMetricsError)
    {
        try checkFinite("values", values)
        try checkWeights(weights, expected: values.count)
        for q in quantileProbabilities where !(0...1).contains(q) {
            throw .invalidArgument(name: "quantile probability", value: "\(q)", expected: "a value in [0, 1]")
        }
        let sums = weights.map(WeightSums.init(weights:)) ?? WeightSums(unitWeights: values.count)
        guard sums.count > 0 else { throw .emptyClass(name: "summarised") }
        guard sums.sumWeights > 0 else {
            throw .nonPositiveWeightSum(name: "summarised", sumOfWeights: sums.sumWeights, count: sums.count)
        }
        func weight(_ i: Int) -> Double { weights.map { Double($0[i]) } ?? 1 }
        var weightedSum = 0.0
        for i in values.indices { weightedSum += weight(i) * Double(values[i]) }
        let mean = weightedSum / sums.sumWeights
        var squares = 0.0
        for i in values.indices {
            let d = Double(values[i]) - mean
            squares += weight(i) * d * d
        }
        let variance = squares / sums.sumWeights

        let sorted = try SortedWeightedValues(values, weights: weights, array: "values") { _ in true }
        var quantiles: [Double] = []
        for q in quantileProbabilities {
            quantiles.append(Self.quantile(q, of: sorted.keys, totalWeight: sums.sumWeights))
        }
        self.weights = sums
        self.mean = mean
        self.std = variance >= 0 ? variance.squareRoot() : .nan
        self.quantileProbabilities = quantileProbabilities
        self.quantiles = quantiles
    }

    /// The smallest value whose cumulative weight, summed over whole groups of equal values, reaches
    /// q * totalWeight (the largest value if none does, which signed weights can cause).
    private static func quantile(_ q: Double, of keys: [UInt64], totalWeight: Double) -> Double {
        let target = q * totalWeight
        var cumulative = 0.0
        var k = 0
        while k < keys.count {
            let rank = SortedWeightedValues.rank(keys[k])
            while k < keys.count, SortedWeightedValues.rank(keys[k]) == rank {
                cumulative += SortedWeightedValues.weight(keys[k])
                k += 1
            }
            if cumulative >= target { return Double(SortedWeightedValues.value(keys[k - 1])) }
        }
        return Double(SortedWeightedValues.value(keys[keys.count - 1]))
    }

    enum CodingKeys: String, CodingKey {
        case weights, mean, std
        case quantileProbabilities = "quantile_probabilities"
        case quantiles
    }
}
