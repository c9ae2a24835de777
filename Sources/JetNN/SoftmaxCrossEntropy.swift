import Foundation

/// Multi-class cross-entropy on logits: l = logsumexp(x) - x[label], with d l / d x = softmax(x) - onehot(label).
public struct SoftmaxCrossEntropy: Sendable {
    public var normalization: LossNormalization

    public init(normalization: LossNormalization = .absoluteWeightSum) {
        self.normalization = normalization
    }

    /// The loss, with d(loss)/d(logits) written to `dLogits`.
    ///
    /// - Parameters:
    ///   - logits: [B, K] for K classes.
    ///   - labels: [B] class indices in 0..<K.
    ///   - weights: [B] signed per-jet weights, or nil for 1.
    ///   - dLogits: resized to [B, K] and overwritten.
    public func loss(logits: Matrix, labels: [Int], weights: [Float]? = nil, dLogits: inout Matrix) -> Float {
        precondition(labels.count == logits.rows, "SoftmaxCrossEntropy: \(labels.count) labels for \(logits.rows) jets")
        let classes = logits.columns
        return weightedLoss(logits: logits, weights: weights, normalization: normalization, dLogits: &dLogits) { i, x, gradient in
            let label = labels[i]
            precondition(label >= 0 && label < classes, "SoftmaxCrossEntropy: jet \(i) has label \(label), expected 0..<\(classes)")
            var maximum = -Float.infinity
            for k in 0..<classes { maximum = max(maximum, x[k]) }
            var sum: Float = 0
            for k in 0..<classes {
                gradient[k] = exp(x[k] - maximum)
                sum += gradient[k]
            }
            for k in 0..<classes { gradient[k] /= sum }
            gradient[label] -= 1
            return Double(log(sum) + (maximum - x[label]))
        }
    }
}
