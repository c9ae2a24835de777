/// The two-sample Kolmogorov-Smirnov distance between weighted distributions, max_x |F1(x) - F2(x)|, for
/// reweighting closure tests.
///
/// F is the cumulative signed weight divided by the total. By default F is the usual right-continuous
/// CDF, as in `scipy.stats.ks_2samp`. With `symmetrized`, F(x) = (F(x - 0) + F(x + 0)) / 2, which is what
/// hep_ml's `ks_2samp_weighted` computes (its values are smaller by up to half a jump). Equal values form
/// one step. Linear cost: radix sort of both samples and one merging pass.
///
/// - Parameters:
///   - first: N1 values; NaN is an error.
///   - firstWeights: N1 signed weights with a positive sum, or `nil` for unit weights.
///   - second: N2 values.
///   - secondWeights: N2 signed weights with a positive sum, or `nil`.
/// - Returns: the distance, in [0, 1] for positive weights.
public func kolmogorovSmirnovDistance(
    _ first: [Float], weights firstWeights: [Float]? = nil, to second: [Float], weights secondWeights: [Float]? = nil,
    symmetrized: Bool = false
) throws(JetMetricsError) -> Double {
    try checkWeights(firstWeights, expected: first.count)
    try checkWeights(secondWeights, expected: second.count)
    let a = try SortedWeightedValues(first, weights: firstWeights, array: "first sample") { _ in true }
    let b = try SortedWeightedValues(second, weights: secondWeights, array: "second sample") { _ in true }
    let totalA = firstWeights.map(WeightSums.init(weights:)) ?? WeightSums(unitWeights: first.count)
    let totalB = secondWeights.map(WeightSums.init(weights:)) ?? WeightSums(unitWeights: second.count)
    for (sums, name) in [(totalA, "first sample"), (totalB, "second sample")] {
        guard sums.count > 0 else { throw .emptyClass(name: name) }
        guard sums.sumWeights > 0 else {
            throw .nonPositiveWeightSum(name: name, sumOfWeights: sums.sumWeights, count: sums.count)
        }
    }
    // Walking down from the highest value, the weight above x gives 1 - F(x - 0); the differences of these
    // survival functions are the CDF differences, so the largest one is the same.
    var aboveA = 0.0
    var aboveB = 0.0
    var distance = 0.0
    SortedWeightedValues.forEachDistinctValueDescending(a, b) { _, inA, inB in
        aboveA += inA.sumWeights / totalA.sumWeights
        aboveB += inB.sumWeights / totalB.sumWeights
        let halfJumps = symmetrized ? (inA.sumWeights / totalA.sumWeights - inB.sumWeights / totalB.sumWeights) / 2 : 0
        distance = max(distance, Swift.abs(aboveA - aboveB - halfJumps))
    }
    return distance
}
