extension Histogram {
    /// `self / denominator` bin by bin (both with the same edges).
    public func ratio(to denominator: Histogram) throws(JetMetricsError) -> HistogramRatio {
        try checkSameBinning(denominator)
        var ratio = [Double](repeating: .nan, count: binCount)
        var error = ratio
        for b in 0..<binCount where denominator.sumWeights[b] != 0 {
            let d = denominator.sumWeights[b]
            ratio[b] = sumWeights[b] / d
            error[b] = (sumWeightsSquared[b] / (d * d) + ratio[b] * ratio[b] * denominator.sumWeightsSquared[b] / (d * d))
                .squareRoot()
        }
        return HistogramRatio(edges: edges, ratio: ratio, error: error)
    }

    /// Chi-square between the normalised shapes of `self` and `other` (same edges, positive in-range sums).
    ///
    /// - Parameter extraVariance: added to each bin's variance (of the normalised shapes), e.g. the squared
    ///   spread of `self` over weight variations; empty for none.
    public func chiSquare(comparedTo other: Histogram, extraVariance: [Double] = []) throws(JetMetricsError) -> ChiSquareComparison {
        try checkSameBinning(other)
        guard extraVariance.isEmpty || extraVariance.count == binCount else {
            throw .invalidArgument(name: "extraVariance", value: "\(extraVariance.count) values", expected: "one per bin (\(binCount))")
        }
        let p = try normalized()
        let q = try other.normalized()
        var chi2 = 0.0
        var compared = 0
        for b in 0..<binCount {
            let variance = p.sumWeightsSquared[b] + q.sumWeightsSquared[b] + (extraVariance.isEmpty ? 0 : extraVariance[b])
            guard variance > 0 else { continue }
            let difference = p.sumWeights[b] - q.sumWeights[b]
            chi2 += difference * difference / variance
            compared += 1
        }
        let ndf = max(compared - 1, 0)
        return ChiSquareComparison(
            chi2: chi2, ndf: ndf, chi2PerNdf: ndf > 0 ? chi2 / Double(ndf) : .nan,
            comparedBins: compared, skippedBins: binCount - compared)
    }
}
