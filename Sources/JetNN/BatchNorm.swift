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
    /// Weight of the batch in the running statistics; 1 / (k + 1) for the k-th of a series of batches (from 0)
    /// makes them the plain average over the series.
    public var momentum: Float
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
    /// [mean | 1 / sqrt(var + eps)] per channel, as the last forward used them.
    private var statistics: [Float]
    /// [C] x 3 per-channel coefficients, and [C] x 2 Double sums per ``RowSplit`` part: workspace.
    private var coefficients: [Float]
    private var sums: [Double] = []
    private var lastForward: (rows: Int, training: Bool)?

    /// Registers the four entries listed in the type's documentation.
    public init(_ name: String, channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, parameters: inout Parameters) {
        precondition(channels > 0, "BatchNorm '\(name)': channels must be > 0")
        self.channels = channels
        self.momentum = momentum
        self.epsilon = epsilon
        func add(_ suffix: String, _ value: Float, trainable: Bool) -> ParameterSlice {
            parameters.add(name + suffix, shape: [channels], decays: false, constant: value, trainable: trainable)
        }
        scale = add(".weight", 1, trainable: true)
        shift = add(".bias", 0, trainable: true)
        runningMean = add(".running_mean", 0, trainable: false)
        runningVariance = add(".running_var", 1, trainable: false)
        statistics = [Float](repeating: 0, count: 2 * channels)
        coefficients = [Float](repeating: 0, count: 3 * channels)
    }

    /// The parts the sums over `rows` are taken in, with ``sums`` grown to hold them.
    private mutating func resizeSums(rows: Int) -> RowSplit {
        let split = RowSplit(rows, minimumPerPart: rowsPerPart)
        if sums.count < 2 * channels * split.parts { sums = [Double](repeating: 0, count: 2 * channels * split.parts) }
        return split
    }

    /// ``output`` [R, C]; in training also updates the running statistics in `parameters`.
    public mutating func forward(_ input: Matrix, parameters: inout Parameters, training: Bool) {
        precondition(input.columns == channels, "BatchNorm: input has \(input.columns) channels, layer expects \(channels)")
        precondition(!training || input.rows > 1, "BatchNorm: training needs more than one row per channel, got \(input.rows)")
        let rows = input.rows
        lastForward = (rows, training)
        output.resize(rows: rows, columns: channels)
        let split = resizeSums(rows: rows)
        let (channels, momentum, epsilon) = (channels, momentum, epsilon)
        let (scale, shift, runningMean, runningVariance) = (scale, shift, runningMean, runningVariance)
        input.storage.withUnsafeBufferPointer { x in
            output.storage.withUnsafeMutableBufferPointer { y in
                statistics.withUnsafeMutableBufferPointer { stats in
                    sums.withUnsafeMutableBufferPointer { sums in
                        parameters.values.withUnsafeMutableBufferPointer { values in
                            let mean = stats.baseAddress!
                            let rstd = mean + channels
                            let runMean = values.baseAddress! + runningMean.offset
                            let runVar = values.baseAddress! + runningVariance.offset
                            if training {
                                columnMeanAndVariance(
                                    x.baseAddress!, split: split, channels: channels, mean: mean, variance: rstd,
                                    sums: sums.baseAddress!)
                                let unbiased = Float(rows) / Float(rows - 1)
                                for c in 0..<channels {
                                    runMean[c] = (1 - momentum) * runMean[c] + momentum * mean[c]
                                    runVar[c] = (1 - momentum) * runVar[c] + momentum * unbiased * rstd[c]
                                    rstd[c] = 1 / (rstd[c] + epsilon).squareRoot()
                                }
                            } else {
                                for c in 0..<channels {
                                    mean[c] = runMean[c]
                                    rstd[c] = 1 / (runVar[c] + epsilon).squareRoot()
                                }
                            }
                            coefficients.withUnsafeMutableBufferPointer { coefficients in
                                normalize(
                                    y.baseAddress, x.baseAddress, mean: mean, rstd: rstd,
                                    gamma: values.baseAddress! + scale.offset, beta: values.baseAddress! + shift.offset,
                                    rows: rows, channels: channels, workspace: coefficients.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Accumulates the gamma and beta gradients and sets ``inputGradient``.
    ///
    /// Training: dx = gamma * rstd * (dy - mean_r(dy) - xhat * mean_r(dy * xhat)), the batch statistics depending
    /// on x; evaluation: dx = dy * gamma * rstd.
    public mutating func backward(_ parameters: inout Parameters, dOutput: Matrix, input: Matrix) {
        guard let lastForward else { preconditionFailure("BatchNorm: backward before forward") }
        precondition(
            dOutput.rows == lastForward.rows && dOutput.columns == channels && input.rows == lastForward.rows && input.columns == channels,
            "BatchNorm: backward got dOutput \(dOutput), input \(input); forward was [\(lastForward.rows), \(channels)]")
        inputGradient.resize(rows: lastForward.rows, columns: channels)
        let split = resizeSums(rows: lastForward.rows)
        let (channels, scale, shift) = (channels, scale, shift)
        inputGradient.storage.withUnsafeMutableBufferPointer { dx in
            input.storage.withUnsafeBufferPointer { x in
                dOutput.storage.withUnsafeBufferPointer { dy in
                    statistics.withUnsafeBufferPointer { stats in
                        sums.withUnsafeMutableBufferPointer { sums in
                            coefficients.withUnsafeMutableBufferPointer { coefficients in
                                parameters.gradients.withUnsafeMutableBufferPointer { grads in
                                    parameters.values.withUnsafeBufferPointer { values in
                                        batchNormBackward(
                                            dInp: dx.baseAddress, dGamma: grads.baseAddress! + scale.offset,
                                            dBeta: grads.baseAddress! + shift.offset, dOut: dy.baseAddress,
                                            inp: x.baseAddress, mean: stats.baseAddress!, rstd: stats.baseAddress! + channels,
                                            gamma: values.baseAddress! + scale.offset, training: lastForward.training,
                                            split: split, channels: channels,
                                            sums: sums.baseAddress!, coefficients: coefficients.baseAddress!)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Rows per part, at least, of the per-channel sums (and per thread of the element-wise passes).
private let rowsPerPart = 256

/// Per-channel mean and biased variance of x [rows, channels], accumulated in Double (two passes);
/// `sums` is [parts, channels] workspace.
private func columnMeanAndVariance(
    _ x: UnsafePointer<Float>, split: RowSplit, channels: Int, mean: UnsafeMutablePointer<Float>,
    variance: UnsafeMutablePointer<Float>, sums: UnsafeMutablePointer<Double>
) {
    let count = Double(split.total)
    split.forEachPart { part, rows in
        let partSums = sums + part * channels
        partSums.update(repeating: 0, count: channels)
        for r in rows {
            let row = x + r * channels
            for c in 0..<channels { partSums[c] += Double(row[c]) }
        }
    }
    addParts(sums, parts: split.parts, stride: channels)
    for c in 0..<channels { mean[c] = Float(sums[c] / count) }
    split.forEachPart { part, rows in
        let partSums = sums + part * channels
        partSums.update(repeating: 0, count: channels)
        for r in rows {
            let row = x + r * channels
            for c in 0..<channels {
                let deviation = row[c] - mean[c]
                partSums[c] += Double(deviation * deviation)
            }
        }
    }
    addParts(sums, parts: split.parts, stride: channels)
    for c in 0..<channels { variance[c] = Float(sums[c] / count) }
}

/// Adds parts 1..<parts of `sums` ([parts, stride]) into part 0, in part order.
private func addParts(_ sums: UnsafeMutablePointer<Double>, parts: Int, stride: Int) {
    for part in 1..<max(parts, 1) {
        let partSums = sums + part * stride
        for i in 0..<stride { sums[i] += partSums[i] }
    }
}

/// y = (x - mean) * rstd * gamma + beta, as y = x * k + b per channel; `workspace` is [2 * channels].
private func normalize(
    _ y: UnsafeMutablePointer<Float>?, _ x: UnsafePointer<Float>?, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
    gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, rows: Int, channels: Int,
    workspace: UnsafeMutablePointer<Float>
) {
    guard let y, let x else { return }
    let k = workspace
    let b = workspace + channels
    for c in 0..<channels {
        k[c] = rstd[c] * gamma[c]
        b[c] = beta[c] - mean[c] * k[c]
    }
    forEachChunk(of: rows, minimumPerChunk: rowsPerPart) { rows in
        for r in rows {
            let xRow = x + r * channels
            let yRow = y + r * channels
            for c in 0..<channels { yRow[c] = xRow[c] * k[c] + b[c] }
        }
    }
}

/// BatchNorm backward (see ``BatchNorm/backward(_:dOutput:input:)``): dx = k dy + a + b x per channel with
/// k = gamma rstd and, in training, the terms from the batch statistics folded into a and b.
/// `sums` is [parts, 2 * channels] and `coefficients` [3 * channels] workspace.
private func batchNormBackward(
    dInp: UnsafeMutablePointer<Float>?, dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>,
    dOut: UnsafePointer<Float>?, inp: UnsafePointer<Float>?, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
    gamma: UnsafePointer<Float>, training: Bool, split: RowSplit, channels: Int,
    sums: UnsafeMutablePointer<Double>, coefficients: UnsafeMutablePointer<Float>
) {
    guard let dx = dInp, let dy = dOut, let x = inp else { return }
    split.forEachPart { part, rows in
        let sumDy = sums + part * 2 * channels
        let sumDyXhat = sumDy + channels
        sumDy.update(repeating: 0, count: 2 * channels)
        for r in rows {
            let xRow = x + r * channels
            let dyRow = dy + r * channels
            for c in 0..<channels {
                sumDy[c] += Double(dyRow[c])
                sumDyXhat[c] += Double(dyRow[c] * (xRow[c] - mean[c]) * rstd[c])
            }
        }
    }
    addParts(sums, parts: split.parts, stride: 2 * channels)
    let sumDy = sums
    let sumDyXhat = sums + channels
    let rows = split.total
    let k = coefficients
    let a = coefficients + channels
    let b = coefficients + 2 * channels
    for c in 0..<channels {
        dGamma[c] += Float(sumDyXhat[c])
        dBeta[c] += Float(sumDy[c])
        k[c] = gamma[c] * rstd[c]
        if training {
            let meanDy = Float(sumDy[c] / Double(rows))
            let meanDyXhat = Float(sumDyXhat[c] / Double(rows))
            b[c] = -k[c] * meanDyXhat * rstd[c]
            a[c] = -k[c] * meanDy - b[c] * mean[c]
        } else {
            a[c] = 0
            b[c] = 0
        }
    }
    forEachChunk(of: rows, minimumPerChunk: rowsPerPart) { rows in
        for r in rows {
            let xRow = x + r * channels
            let dyRow = dy + r * channels
            let dxRow = dx + r * channels
            for c in 0..<channels { dxRow[c] = k[c] * dyRow[c] + a[c] + b[c] * xRow[c] }
        }
    }
}
