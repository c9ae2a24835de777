extension Parameters {
    /// Adds the gradient of the penalty l1 * sum |w| + l2 * sum w^2 over the entries with `decays` (weights,
    /// not biases or norm parameters) and returns the penalty, to be added to the loss.
    /// The L1 subgradient at w = 0 is 0.
    @discardableResult
    public mutating func addPenaltyGradients(l1: Float, l2: Float) -> Float {
        var penalty = 0.0
        let entries = entries
        values.withUnsafeBufferPointer { w in
            gradients.withUnsafeMutableBufferPointer { g in
                for entry in entries where entry.decays && entry.trainable {
                    var absolute = SIMD8<Float>()
                    var squares = SIMD8<Float>()
                    var i = entry.offset
                    while i + 8 <= entry.range.upperBound {
                        let v = UnsafeRawPointer(w.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                        absolute += v.replacing(with: -v, where: v .< 0)
                        squares += v * v
                        i += 8
                    }
                    var entryPenalty = Double(l1 * absolute.sum() + l2 * squares.sum())
                    for j in i..<entry.range.upperBound { entryPenalty += Double(l1 * abs(w[j]) + l2 * w[j] * w[j]) }
                    penalty += entryPenalty
                    for j in entry.range {
                        let sign: Float = w[j] > 0 ? 1 : (w[j] < 0 ? -1 : 0)
                        g[j] += l1 * sign + 2 * l2 * w[j]
                    }
                }
            }
        }
        return Float(penalty)
    }

    /// The global L2 norm of the trainable entries' gradients.
    public func gradientNorm() -> Float {
        var total = 0.0
        gradients.withUnsafeBufferPointer { g in
            for entry in entries where entry.trainable {
                var squares = SIMD16<Float>()
                var i = entry.offset
                while i + 16 <= entry.range.upperBound {
                    let v = UnsafeRawPointer(g.baseAddress! + i).loadUnaligned(as: SIMD16<Float>.self)
                    squares += v * v
                    i += 16
                }
                total += Double(squares.sum())
                for j in i..<entry.range.upperBound { total += Double(g[j] * g[j]) }
            }
        }
        return Float(total.squareRoot())
    }

    /// Scales the trainable gradients by maxNorm / (norm + 1e-6) when that is below 1, as PyTorch's
    /// `clip_grad_norm_`; returns the norm before clipping.
    @discardableResult
    public mutating func clipGradientNorm(to maxNorm: Float) -> Float {
        let norm = gradientNorm()
        let factor = maxNorm / (norm + 1e-6)
        guard factor < 1 else { return norm }
        let entries = entries
        gradients.withUnsafeMutableBufferPointer { g in
            for entry in entries where entry.trainable {
                for j in entry.range { g[j] *= factor }
            }
        }
        return norm
    }
}
