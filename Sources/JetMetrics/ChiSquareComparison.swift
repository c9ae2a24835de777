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
