/// Mean squared error for regression outputs: per jet l_i = mean over the K outputs of (x - t)^2.
public struct MeanSquaredError: Sendable {
    public var normalization: LossNormalization

    public init(normalization: LossNormalization = .absoluteWeightSum) {
        self.normalization = normalization
    }

    /// The loss, with d(loss)/d(predictions) written to `dPredictions`.
    ///
    /// - Parameters:
    ///   - predictions: [B, K].
    ///   - targets: [B * K], row-major like `predictions`.
    ///   - weights: [B] signed per-jet weights, or nil for 1.
    ///   - dPredictions: resized to [B, K] and overwritten.
    public func loss(predictions: Matrix, targets: [Float], weights: [Float]? = nil, dPredictions: inout Matrix) -> Float {
        precondition(targets.count == predictions.count, "MeanSquaredError: \(targets.count) targets for predictions \(predictions)")
        let outputs = predictions.columns
        return weightedLoss(logits: predictions, weights: weights, normalization: normalization, dLogits: &dPredictions) { i, x, gradient in
            var squares = 0.0
            for k in 0..<outputs {
                let difference = x[k] - targets[i * outputs + k]
                squares += Double(difference * difference)
                gradient[k] = 2 * difference / Float(outputs)
            }
            return squares / Double(outputs)
        }
    }
}
