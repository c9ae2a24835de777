import Foundation

/// Binary focal loss on logits (Lin et al. 2017, as torchvision's `sigmoid_focal_loss`):
/// l = alpha_t * (1 - p_t)^gamma * BCE(x, y), p = sigmoid(x), p_t = p y + (1 - p)(1 - y),
/// alpha_t = alpha y + (1 - alpha)(1 - y) (1 when alpha is nil). gamma = 0 and alpha = nil give BCE.
public struct FocalLoss: Sendable {
    public var gamma: Float
    public var alpha: Float?
    public var normalization: LossNormalization

    public init(gamma: Float = 2, alpha: Float? = nil, normalization: LossNormalization = .absoluteWeightSum) {
        precondition(gamma >= 0, "FocalLoss: gamma must be >= 0, got \(gamma)")
        self.gamma = gamma
        self.alpha = alpha
        self.normalization = normalization
    }

    /// The loss, with d(loss)/d(logits) written to `dLogits`.
    ///
    /// - Parameters:
    ///   - logits: [B, 1].
    ///   - targets: [B], in [0, 1].
    ///   - weights: [B] signed per-jet weights, or nil for 1.
    ///   - dLogits: resized to [B, 1] and overwritten.
    public func loss(logits: Matrix, targets: [Float], weights: [Float]? = nil, dLogits: inout Matrix) -> Float {
        precondition(logits.columns == 1, "FocalLoss: logits must be [B, 1], got \(logits)")
        precondition(targets.count == logits.rows, "FocalLoss: \(targets.count) targets for \(logits.rows) logits")
        let (gamma, alpha) = (Double(gamma), alpha.map(Double.init))
        return weightedLoss(logits: logits, weights: weights, normalization: normalization, dLogits: &dLogits) { i, logit, gradient in
            let x = Double(logit[0])
            let y = Double(targets[i])
            let p = 1 / (1 + exp(-x))
            let oneMinusP = 1 / (1 + exp(x))
            let crossEntropy = max(x, 0) - x * y + log1p(exp(-abs(x)))
            // q = 1 - p_t, and its derivative dq/dx = (1 - 2y) p (1 - p).
            let q = y * oneMinusP + (1 - y) * p
            let modulation = pow(q, gamma)
            let dModulation = q > 0 ? gamma * pow(q, gamma - 1) * (1 - 2 * y) * p * oneMinusP : 0
            let alphaT = alpha.map { $0 * y + (1 - $0) * (1 - y) } ?? 1
            gradient[0] = Float(alphaT * ((p - y) * modulation + crossEntropy * dModulation))
            return alphaT * modulation * crossEntropy
        }
    }
}
