/// How a loss combines per-example losses l_i with per-example SIGNED weights w_i (all 1 when absent).
///
/// The default, ``absoluteWeightSum``, is loss = sum_i w_i * l_i / sum_i |w_i|: negative-weight events
/// (NLO generators) pull the loss the other way without changing its scale; with unit weights it is the mean.
/// When the normaliser is 0 (for example an empty batch) the loss and all gradients are 0.
public enum LossNormalization: Sendable, Equatable {
    /// sum_i w_i l_i / sum_i |w_i|.
    case absoluteWeightSum
    /// sum_i w_i l_i / sum_i w_i.
    case weightSum
    /// sum_i w_i l_i / n: the plain mean of weighted losses.
    case exampleCount
    /// sum_i w_i l_i.
    case none
    /// sum_i w_i l_i / normalizer: for one part of a batch, normalised as the whole batch (its sum of |w|).
    case given(normalizer: Double)

    /// 1 / normaliser for `count` examples with the given weights, or 0 when the normaliser is 0.
    func inverseNormalizer(weights: [Float]?, count: Int) -> Double {
        if let weights {
            precondition(weights.count == count, "loss: \(weights.count) weights for \(count) examples")
        }
        let normalizer: Double
        switch self {
        case .absoluteWeightSum: normalizer = weights.map { $0.reduce(0) { $0 + Double(abs($1)) } } ?? Double(count)
        case .weightSum: normalizer = weights.map { $0.reduce(0) { $0 + Double($1) } } ?? Double(count)
        case .exampleCount: normalizer = Double(count)
        case .none: normalizer = 1
        case .given(let given): normalizer = given
        }
        return normalizer == 0 ? 0 : 1 / normalizer
    }
}

/// The loop every loss shares: for each example i (row i of `logits`), `example(i, x_i, g_i)` returns the
/// unweighted loss l_i and writes d l_i / d x_i into g_i; the driver scales g_i by w_i / normaliser and returns
/// sum_i w_i l_i / normaliser. `dLogits` is resized to the shape of `logits`.
func weightedLoss(
    logits: Matrix, weights: [Float]?, normalization: LossNormalization, dLogits: inout Matrix,
    example: (_ row: Int, _ x: UnsafePointer<Float>, _ gradient: UnsafeMutablePointer<Float>) -> Double
) -> Float {
    let scale = normalization.inverseNormalizer(weights: weights, count: logits.rows)
    let columns = logits.columns
    dLogits.resize(rows: logits.rows, columns: columns)
    var total = 0.0
    logits.storage.withUnsafeBufferPointer { x in
        dLogits.storage.withUnsafeMutableBufferPointer { dx in
            for i in 0..<logits.rows {
                let w = Double(weights?[i] ?? 1)
                let gradient = dx.baseAddress! + i * columns
                total += w * example(i, x.baseAddress! + i * columns, gradient)
                let factor = Float(w * scale)
                for k in 0..<columns { gradient[k] *= factor }
            }
        }
    }
    return Float(total * scale)
}
