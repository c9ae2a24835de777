/// Bin-by-bin ratio of two histograms with uncorrelated errors.
///
/// JSON keys: `edges`, `ratio`, `error` (one entry per bin; `"nan"` where the denominator bin is 0).
public struct HistogramRatio: Codable, Equatable, Sendable {
    public var edges: [Double]
    /// numerator / denominator per bin.
    public var ratio: [Double]
    /// sqrt(sigma_n^2 / d^2 + r^2 sigma_d^2 / d^2), i.e. |r| sqrt(sigma_n^2 / n^2 + sigma_d^2 / d^2),
    /// treating the two histograms as independent.
    public var error: [Double]
}

/// A chi-square comparison of the shapes of two weighted histograms.
///
/// Both histograms are normalised to unit in-range weight; bin i contributes
/// (p_i - q_i)^2 / (sumw2_p,i / P^2 + sumw2_q,i / Q^2). Bins with zero variance are skipped;
/// ndf = compared bins - 1, because the normalisation removes one degree of freedom.
///
/// JSON keys: `chi2`, `ndf`, `chi2_per_ndf` (`"nan"` when ndf is 0), `compared_bins`, `skipped_bins`.
public struct ChiSquareComparison: Codable, Equatable, Sendable {
    public var chi2: Double
    public var ndf: Int
    public var chi2PerNdf: Double
    /// Bins with a non-zero variance, which enter the sum.
    public var comparedBins: Int
    /// Bins with zero variance (empty in both histograms), left out.
    public var skippedBins: Int

    enum CodingKeys: String, CodingKey {
        case chi2, ndf
        case chi2PerNdf = "chi2_per_ndf"
        case comparedBins = "compared_bins"
        case skippedBins = "skipped_bins"
    }
}

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
    public func chiSquare(comparedTo other: Histogram) throws(JetMetricsError) -> ChiSquareComparison {
        try checkSameBinning(other)
        let p = try normalized()
        let q = try other.normalized()
        var chi2 = 0.0
        var compared = 0
        for b in 0..<binCount {
            let variance = p.sumWeightsSquared[b] + q.sumWeightsSquared[b]
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
