import Foundation

/// Binary cross-entropy on logits, the stable form l = max(x, 0) - x * y + log1p(exp(-|x|)), with
/// d l / d x = sigmoid(x) - y. Targets y may be soft (in [0, 1]).
public struct BinaryCrossEntropy: Sendable {
    public var normalization: LossNormalization

    public init(normalization: LossNormalization = .absoluteWeightSum) {
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
        precondition(logits.columns == 1, "BinaryCrossEntropy: logits must be [B, 1], got \(logits)")
        precondition(targets.count == logits.rows, "BinaryCrossEntropy: \(targets.count) targets for \(logits.rows) logits")
        return weightedLoss(logits: logits, weights: weights, normalization: normalization, dLogits: &dLogits) { i, x, gradient in
            let y = targets[i]
            gradient[0] = logistic(x[0]) - y
            return Double(max(x[0], 0) - x[0] * y + log1p(exp(-abs(x[0]))))
        }
    }
}
