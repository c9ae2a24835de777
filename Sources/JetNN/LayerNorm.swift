/// Layer normalisation of each row of an [R, C] matrix over its C channels (PyTorch's LayerNorm(C)):
/// y = gamma * (x - mean_row) / sqrt(var_row + eps) + beta, biased variance.
///
/// Parameters: "<name>.weight" (gamma, ones) and "<name>.bias" (beta, zeros), no decay.
public struct LayerNorm: Sendable {
    public let channels: Int
    public let epsilon: Float
    /// gamma [C]
    public let scale: ParameterSlice
    /// beta [C]
    public let shift: ParameterSlice
    /// The last forward's result [R, C].
    public private(set) var output = Matrix(rows: 0, columns: 0)
    /// The last backward's d(loss)/d(input) [R, C] (overwritten).
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    /// Per row: mean and 1 / sqrt(var + eps) of the last forward.
    private var mean: [Float] = []
    private var inverseStandardDeviation: [Float] = []
    private var forwardRows: Int?

    public init(_ name: String, channels: Int, epsilon: Float = 1e-5, parameters: inout Parameters) {
        precondition(channels > 0, "LayerNorm '\(name)': channels must be > 0")
        self.channels = channels
        self.epsilon = epsilon
        var unused = SeededGenerator(seed: 0)
        scale = parameters.add(
            name + ".weight", shape: [channels], decays: false, initializer: .constant(1),
            fanIn: channels, fanOut: channels, rng: &unused)
        shift = parameters.add(
            name + ".bias", shape: [channels], decays: false, initializer: .constant(0),
            fanIn: channels, fanOut: channels, rng: &unused)
    }

    /// ``output`` [R, C].
    public mutating func forward(_ input: Matrix, parameters: Parameters) {
        precondition(input.columns == channels, "LayerNorm: input has \(input.columns) channels, layer expects \(channels)")
        let rows = input.rows
        forwardRows = rows
        output.resize(rows: rows, columns: channels)
        mean.removeAll(keepingCapacity: true)
        mean.append(contentsOf: repeatElement(0, count: rows))
        inverseStandardDeviation.removeAll(keepingCapacity: true)
        inverseStandardDeviation.append(contentsOf: repeatElement(0, count: rows))
        let (channels, epsilon, scale, shift) = (channels, epsilon, scale, shift)
        output.storage.withUnsafeMutableBufferPointer { y in
            input.storage.withUnsafeBufferPointer { x in
                mean.withUnsafeMutableBufferPointer { mu in
                    inverseStandardDeviation.withUnsafeMutableBufferPointer { rstd in
                        parameters.values.withUnsafeBufferPointer { values in
                            layerNormForward(
                                out: y.baseAddress, mean: mu.baseAddress, rstd: rstd.baseAddress, inp: x.baseAddress,
                                gamma: values.baseAddress! + scale.offset, beta: values.baseAddress! + shift.offset,
                                rows: rows, channels: channels, epsilon: epsilon)
                        }
                    }
                }
            }
        }
    }

    /// Accumulates the gamma and beta gradients and sets ``inputGradient``:
    /// dx = rstd * (g - mean_c(g) - xhat * mean_c(g * xhat)) with g = dy * gamma.
    public mutating func backward(_ parameters: inout Parameters, dOutput: Matrix, input: Matrix) {
        guard let forwardRows else { preconditionFailure("LayerNorm: backward before forward") }
        precondition(
            dOutput.rows == forwardRows && dOutput.columns == channels && input.rows == forwardRows && input.columns == channels,
            "LayerNorm: backward got dOutput \(dOutput), input \(input); forward was [\(forwardRows), \(channels)]")
        inputGradient.resize(rows: forwardRows, columns: channels)
        let (channels, scale, shift) = (channels, scale, shift)
        inputGradient.storage.withUnsafeMutableBufferPointer { dx in
            dOutput.storage.withUnsafeBufferPointer { dy in
                input.storage.withUnsafeBufferPointer { x in
                    mean.withUnsafeBufferPointer { mu in
                        inverseStandardDeviation.withUnsafeBufferPointer { rstd in
                            parameters.values.withUnsafeBufferPointer { values in
                                parameters.gradients.withUnsafeMutableBufferPointer { grads in
                                    layerNormBackward(
                                        dInp: dx.baseAddress, dGamma: grads.baseAddress! + scale.offset,
                                        dBeta: grads.baseAddress! + shift.offset, dOut: dy.baseAddress, inp: x.baseAddress,
                                        mean: mu.baseAddress, rstd: rstd.baseAddress, gamma: values.baseAddress! + scale.offset,
                                        rows: forwardRows, channels: channels)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Per row r of inp [rows, channels]: mean[r], rstd[r] = 1 / sqrt(var + eps), out = (x - mean) rstd gamma + beta.
private func layerNormForward(
    out: UnsafeMutablePointer<Float>?, mean: UnsafeMutablePointer<Float>?, rstd: UnsafeMutablePointer<Float>?,
    inp: UnsafePointer<Float>?, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
    rows: Int, channels: Int, epsilon: Float
) {
    guard let y = out, let mu = mean, let rstd, let x = inp else { return }
    for r in 0..<rows {
        let xRow = x + r * channels
        let yRow = y + r * channels
        let m = sum(xRow, count: channels) / Float(channels)
        var squares: Float = 0
        for c in 0..<channels { squares += (xRow[c] - m) * (xRow[c] - m) }
        let s = 1 / (squares / Float(channels) + epsilon).squareRoot()
        mu[r] = m
        rstd[r] = s
        for c in 0..<channels { yRow[c] = (xRow[c] - m) * s * gamma[c] + beta[c] }
    }
}

/// dx = rstd (g - mean_c(g) - xhat mean_c(g xhat)) with g = dy gamma; dGamma += dy xhat, dBeta += dy.
private func layerNormBackward(
    dInp: UnsafeMutablePointer<Float>?, dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>,
    dOut: UnsafePointer<Float>?, inp: UnsafePointer<Float>?, mean: UnsafePointer<Float>?, rstd: UnsafePointer<Float>?,
    gamma: UnsafePointer<Float>, rows: Int, channels: Int
) {
    guard let dx = dInp, let dy = dOut, let x = inp, let mu = mean, let rstd else { return }
    for r in 0..<rows {
        let xRow = x + r * channels
        let dyRow = dy + r * channels
        let dxRow = dx + r * channels
        var sumG: Float = 0
        var sumGXhat: Float = 0
        for c in 0..<channels {
            let xhat = (xRow[c] - mu[r]) * rstd[r]
            let g = dyRow[c] * gamma[c]
            sumG += g
            sumGXhat += g * xhat
            dGamma[c] += dyRow[c] * xhat
            dBeta[c] += dyRow[c]
        }
        let meanG = sumG / Float(channels)
        let meanGXhat = sumGXhat / Float(channels)
        for c in 0..<channels {
            let xhat = (xRow[c] - mu[r]) * rstd[r]
            dxRow[c] = rstd[r] * (dyRow[c] * gamma[c] - meanG - xhat * meanGXhat)
        }
    }
}
