/// How the reweighting classifier treats negative event weights (in either sample).
///
/// - `signed` (default): the weights enter the loss as they are. The loss minimiser is still
///   f = p_T / (p_S + p_T) of the signed densities, so the result is unbiased; the price is variance
///   (cancelling contributions) and a loss that is not bounded below per batch.
/// - `abs`: |w|. Low variance, but it learns the density of |w|, which differs from the physical one wherever
///   negative weights are frequent: biased (e.g. over-weighting light jets in the negative-weight sample).
/// - `drop`: jets with w < 0 removed. Biased the same way wherever the negative fraction depends on x.
/// - `resample`: each weight replaced by a learned local mean (the Neural Resampler, arXiv:2007.11586): a
///   classifier g(x) = E[sign(w) | x] under |w| weights, then w -> |w| * g(x) (clipped at 0), whose
///   expectation at x equals E[w | x]; the classifier then trains on these positive weights. Unbiased up to
///   how well g is learned, with the variance of positive weights.
public enum NegativeWeightStrategy: String, Codable, Sendable, CaseIterable {
    case signed
    case abs
    case drop
    case resample

    /// The training weights for `weights` under `signed`, `abs` or `drop` (nil for a dropped jet);
    /// `resample` needs a model (``NeuralResampler``) and is handled there.
    public func transformed(_ weight: Float) -> Float? {
        switch self {
        case .signed, .resample: weight
        case .abs: Swift.abs(weight)
        case .drop: weight < 0 ? nil : weight
        }
    }
}
