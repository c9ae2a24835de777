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
