/// Temperature scaling of a tagger's logits (Guo et al., arXiv:1706.04599): probabilities are
/// sigmoid(z / T) or softmax(z / T), with the one scalar T > 0 fitted by `jettag calibrate` on the run's
/// validation split to minimise the weighted negative log-likelihood. It changes no ranking (ROC and AUC stay),
/// only how far the probabilities are from 0 and 1.
///
/// Stored as the model file's `calibration` attribute (JSON, snake_case keys); a file without it has T = 1.
public struct TemperatureCalibration: Codable, Sendable, Equatable {
    /// T: the logits are divided by it.
    public var temperature: Double
    /// The weighted mean negative log-likelihood of the fitting jets at T = 1 and at the fitted T.
    public var nllBefore: Double
    public var nllAfter: Double
    /// The jets it was fitted on: their number and the split (`validation`).
    public var jets: Int
    public var split: String

    public init(temperature: Double, nllBefore: Double, nllAfter: Double, jets: Int, split: String) {
        (self.temperature, self.nllBefore, self.nllAfter, self.jets, self.split) =
            (temperature, nllBefore, nllAfter, jets, split)
    }

    enum CodingKeys: String, CodingKey {
        case temperature, jets, split
        case nllBefore = "nll_before"
        case nllAfter = "nll_after"
    }
}
