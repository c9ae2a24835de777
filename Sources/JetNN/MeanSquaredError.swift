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
        let scale = normalization.inverseNormalizer(weights: weights, count: predictions.rows)
        dPredictions.resize(rows: predictions.rows, columns: outputs)
        var total = 0.0
        for i in 0..<predictions.rows {
            let w = Double(weights?[i] ?? 1)
            let factor = Float(w * scale * 2 / Double(outputs))
            var squares: Float = 0
            for k in (i * outputs)..<((i + 1) * outputs) {
                let difference = predictions.storage[k] - targets[k]
                squares += difference * difference
                dPredictions.storage[k] = factor * difference
            }
            total += w * Double(squares) / Double(outputs)
        }
        return Float(total * scale)
    }
}
