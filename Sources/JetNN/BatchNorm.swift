/// Batch normalisation over the rows of an [R, C] matrix: packed constituent rows (so padding never enters
/// the statistics) or jet rows [B, C]. PyTorch's BatchNorm1d semantics:
///
/// - training: y = gamma * (x - mean) / sqrt(var + eps) + beta with the batch mean and BIASED variance;
///   running_mean = (1 - momentum) running_mean + momentum mean, running_var likewise with the UNBIASED
///   variance (R / (R - 1) var). Needs R > 1.
/// - evaluation: the running statistics replace the batch ones.
///
/// Parameters: "<name>.weight" (gamma, ones) and "<name>.bias" (beta, zeros), trainable, no decay;
/// "<name>.running_mean" (zeros) and "<name>.running_var" (ones), saved but not trainable.
public struct BatchNorm: Sendable {
    public let channels: Int
    public let momentum: Float
    public let epsilon: Float
    /// gamma [C]
    public let scale: ParameterSlice
    /// beta [C]
    public let shift: ParameterSlice
    /// [C], not trainable
    public let runningMean: ParameterSlice
    /// [C], not trainable
    public let runningVariance: ParameterSlice
    /// The last forward's result [R, C].
    public private(set) var output = Matrix(rows: 0, columns: 0)
    /// The last backward's d(loss)/d(input) [R, C] (overwritten).
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    /// Mean and 1 / sqrt(var + eps) per channel used by the last forward.
    private var mean: [Float] = []
    private var inverseStandardDeviation: [Float] = []
    private var forward: (rows: Int, training: Bool)?

    /// Registers the four entries listed in the type's documentation.
    public init(_ name: String, channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, parameters: inout Parameters) {
        precondition(channels > 0, "BatchNorm '\(name)': channels must be > 0")
        self.channels = channels
        self.momentum = momentum
        self.epsilon = epsilon
        var unused = SeededGenerator(seed: 0)
        func add(_ suffix: String, _ value: Float, trainable: Bool) -> ParameterSlice {
            parameters.add(
                name + suffix, shape: [channels], decays: false, initializer: .constant(value),
                fanIn: channels, fanOut: channels, trainable: trainable, rng: &unused)
        }
        scale = add(".weight", 1, trainable: true)
        shift = add(".bias", 0, trainable: true)
        runningMean = add(".running_mean", 0, trainable: false)
        runningVariance = add(".running_var", 1, trainable: false)
    }

    /// ``output`` [R, C]; in training also updates the running statistics in `parameters`.
    public mutating func forward(_ input: Matrix, parameters: inout Parameters, training: Bool) {
        precondition(input.columns == channels, "BatchNorm: input has \(input.columns) channels, layer expects \(channels)")
        precondition(!training || input.rows > 1, "BatchNorm: training needs more than one row per channel, got \(input.rows)")
        let rows = input.rows
        forward = (rows, training)
        output.resize(rows: rows, columns: channels)
        mean = [Float](repeating: 0, count: channels)
        inverseStandardDeviation = mean
        let (channels, momentum, epsilon) = (channels, momentum, epsilon)
        let (scale, shift, runningMean, runningVariance) = (scale, shift, runningMean, runningVariance)
        input.storage.withUnsafeBufferPointer { x in
            mean.withUnsafeMutableBufferPointer { mu in
                inverseStandardDeviation.withUnsafeMutableBufferPointer { rstd in
                    parameters.values.withUnsafeMutableBufferPointer { values in
                        let runMean = values.baseAddress! + runningMean.offset
                        let runVar = values.baseAddress! + runningVariance.offset
                        if training {
                            var variance = [Float](repeating: 0, count: channels)
                            columnMeanAndVariance(x, rows: rows, columns: channels, mean: mu.baseAddress!, variance: &variance)
                            let unbiased = Float(rows) / Float(rows - 1)
                            for c in 0..<channels {
                                rstd[c] = 1 / (variance[c] + epsilon).squareRoot()
                                runMean[c] = (1 - momentum) * runMean[c] + momentum * mu[c]
                                runVar[c] = (1 - momentum) * runVar[c] + momentum * unbiased * variance[c]
                            }
                        } else {
                            for c in 0..<channels {
                                mu[c] = runMean[c]
                                rstd[c] = 1 / (runVar[c] + epsilon).squareRoot()
                            }
                        }
                        output.storage.withUnsafeMutableBufferPointer { y in
                            let gamma = values.baseAddress! + scale.offset
                            let beta = values.baseAddress! + shift.offset
                            for r in 0..<rows {
                                let xRow = x.baseAddress! + r * channels
                                let yRow = y.baseAddress! + r * channels
                                for c in 0..<channels { yRow[c] = (xRow[c] - mu[c]) * rstd[c] * gamma[c] + beta[c] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Accumulates the gamma and beta gradients and sets ``inputGradient``.
    ///
    /// Training: dx = rstd * (g - mean_r(g) - xhat * mean_r(g * xhat)) with g = dy * gamma, the batch statistics
    /// depending on x; evaluation: dx = dy * gamma * rstd.
    public mutating func backward(_ parameters: inout Parameters, dOutput: Matrix, input: Matrix) {
        guard let forward else { preconditionFailure("BatchNorm: backward before forward") }
        precondition(
            dOutput.rows == forward.rows && dOutput.columns == channels && input.rows == forward.rows && input.columns == channels,
            "BatchNorm: backward got dOutput \(dOutput), input \(input); forward was [\(forward.rows), \(channels)]")
        let rows = forward.rows
        let training = forward.training
        inputGradient.resize(rows: rows, columns: channels)
        let channels = channels
        let (scale, shift) = (scale, shift)
        // Per channel: sum of dy and sum of dy * xhat.
        var sumDy = [Double](repeating: 0, count: channels)
        var sumDyXhat = sumDy
        input.storage.withUnsafeBufferPointer { x in
            dOutput.storage.withUnsafeBufferPointer { dy in
                mean.withUnsafeBufferPointer { mu in
                    inverseStandardDeviation.withUnsafeBufferPointer { rstd in
                        sumDy.withUnsafeMutableBufferPointer { sDy in
                            sumDyXhat.withUnsafeMutableBufferPointer { sDyX in
                                for r in 0..<rows {
                                    let xRow = x.baseAddress! + r * channels
                                    let dyRow = dy.baseAddress! + r * channels
                                    for c in 0..<channels {
                                        sDy[c] += Double(dyRow[c])
                                        sDyX[c] += Double(dyRow[c] * (xRow[c] - mu[c]) * rstd[c])
                                    }
                                }
                            }
                        }
                        parameters.gradients.withUnsafeMutableBufferPointer { grads in
                            for c in 0..<channels {
                                grads[scale.offset + c] += Float(sumDyXhat[c])
                                grads[shift.offset + c] += Float(sumDy[c])
                            }
                        }
                        parameters.values.withUnsafeBufferPointer { values in
                            let gamma = values.baseAddress! + scale.offset
                            // dx = k * dy + a + b * x per channel, with the row-independent terms folded.
                            var k = [Float](repeating: 0, count: channels)
                            var a = k
                            var b = k
                            for c in 0..<channels {
                                k[c] = gamma[c] * rstd[c]
                                if training {
                                    let meanDy = Float(sumDy[c] / Double(rows))
                                    let meanDyXhat = Float(sumDyXhat[c] / Double(rows))
                                    b[c] = -k[c] * meanDyXhat * rstd[c]
                                    a[c] = -k[c] * meanDy - b[c] * mu[c]
                                }
                            }
                            inputGradient.storage.withUnsafeMutableBufferPointer { dx in
                                for r in 0..<rows {
                                    let xRow = x.baseAddress! + r * channels
                                    let dyRow = dy.baseAddress! + r * channels
                                    let dxRow = dx.baseAddress! + r * channels
                                    for c in 0..<channels { dxRow[c] = k[c] * dyRow[c] + a[c] + b[c] * xRow[c] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Per-column mean and biased variance of x [rows, columns], accumulated in Double (two passes).
private func columnMeanAndVariance(
    _ x: UnsafeBufferPointer<Float>, rows: Int, columns: Int, mean: UnsafeMutablePointer<Float>, variance: inout [Float]
) {
    var sum = [Double](repeating: 0, count: columns)
    for r in 0..<rows {
        let row = x.baseAddress! + r * columns
        for c in 0..<columns { sum[c] += Double(row[c]) }
    }
    for c in 0..<columns { mean[c] = Float(sum[c] / Double(rows)) }
    var squares = [Double](repeating: 0, count: columns)
    for r in 0..<rows {
        let row = x.baseAddress! + r * columns
        for c in 0..<columns {
            let deviation = Double(row[c] - mean[c])
            squares[c] += deviation * deviation
        }
    }
    for c in 0..<columns { variance[c] = Float(squares[c] / Double(rows)) }
}
