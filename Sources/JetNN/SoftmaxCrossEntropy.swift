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
        let scale = normalization.inverseNormalizer(weights: weights, count: logits.rows)
        dLogits.resize(rows: logits.rows, columns: classes)
        var total = 0.0
        logits.storage.withUnsafeBufferPointer { x in
            dLogits.storage.withUnsafeMutableBufferPointer { dx in
                for i in 0..<logits.rows {
                    let label = labels[i]
                    precondition(label >= 0 && label < classes, "SoftmaxCrossEntropy: jet \(i) has label \(label), expected 0..<\(classes)")
                    let row = x.baseAddress! + i * classes
                    let dRow = dx.baseAddress! + i * classes
                    var maximum = -Float.infinity
                    for k in 0..<classes { maximum = max(maximum, row[k]) }
                    var sum: Float = 0
                    for k in 0..<classes {
                        dRow[k] = exp(row[k] - maximum)
                        sum += dRow[k]
                    }
                    let w = Double(weights?[i] ?? 1)
                    total += w * Double(log(sum) + (maximum - row[label]))
                    let factor = Float(w * scale)
                    for k in 0..<classes { dRow[k] = factor * dRow[k] / sum }
                    dRow[label] -= factor
                }
            }
        }
        return Float(total * scale)
    }
}
