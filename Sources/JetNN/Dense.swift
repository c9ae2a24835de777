import CJetKernels
import JetCore

/// A fully connected layer on rows: out[R, OC] = f(in[R, C] * W^T + b), f an optional fused activation.
///
/// Shapes: input [R, C] (R = packed constituents N for a per-constituent network, or jets B), output [R, OC];
/// weight [OC, C] (PyTorch's Linear layout), bias [OC]. Both directions are sgemms on parts of the rows, the parts
/// shared out over the compute threads (see ``ComputeThreads``); with C <= 24 inputs they are JetTag's own
/// small-K kernels instead (see ``SmallKKernels``), which also fuse the bias and a ReLU. The activation, when given, is applied in place
/// right after each part's product, so no pre-activation buffer exists; it must be one whose derivative follows
/// from its output (ReLU, tanh, sigmoid).
public struct Dense: Sendable {
    public let inputCount: Int
    public let outputCount: Int
    /// [outputCount, inputCount]
    public let weight: ParameterSlice
    /// [outputCount], nil without bias.
    public let bias: ParameterSlice?
    /// Applied to the output in place (nil: none).
    public let activation: ActivationFunction?
    /// Set false for a first layer whose input gradient nobody reads (saves one sgemm in backward).
    public var computesInputGradient = true
    /// The last forward's result [R, OC] (after the activation).
    public private(set) var output = Matrix(rows: 0, columns: 0)
    /// The last backward's d(loss)/d(input) [R, C] (overwritten, not accumulated).
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    /// d(loss)/d(pre-activation) [R, OC] of the last backward (with an activation only).
    private var preactivationGradient = Matrix(rows: 0, columns: 0)
    /// Per ``RowSplit`` part: its weight gradient [OC, C] and bias gradient [OC], summed in part order.
    private var partialGradients: [Float] = []
    private var forwardRows: Int?

    /// Registers "<name>.weight" (decays) and "<name>.bias" (no decay) in `parameters`.
    public init(
        _ name: String, inputCount: Int, outputCount: Int, bias: Bool = true, activation: ActivationFunction? = nil,
        weightInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .constant(0),
        parameters: inout Parameters, rng: inout SeededGenerator
    ) {
        precondition(inputCount > 0 && outputCount > 0, "Dense '\(name)': sizes must be > 0, got \(inputCount) -> \(outputCount)")
        precondition(
            activation?.derivativeFollowsFromOutput ?? true,
            "Dense '\(name)': \(activation!) cannot be fused (its derivative needs the input); use an Activation layer")
        self.inputCount = inputCount
        self.outputCount = outputCount
        self.activation = activation
        weight = parameters.add(
            name + ".weight", shape: [outputCount, inputCount], decays: true, initializer: weightInitializer,
            fanIn: inputCount, fanOut: outputCount, rng: &rng)
        self.bias = bias
            ? parameters.add(
                name + ".bias", shape: [outputCount], decays: false, initializer: biasInitializer,
                fanIn: inputCount, fanOut: outputCount, rng: &rng)
            : nil
    }

    /// Computes ``output`` = f(input * W^T + b) for input [R, inputCount].
    public mutating func forward(_ input: Matrix, parameters: Parameters) {
        precondition(input.columns == inputCount, "Dense: input has \(input.columns) columns, layer expects \(inputCount)")
        output.resize(rows: input.rows, columns: outputCount)
        forwardRows = input.rows
        let (weight, bias, activation, outputCount, inputCount) = (weight, bias, activation, outputCount, inputCount)
        output.storage.withUnsafeMutableBufferPointer { out in
            parameters.values.withUnsafeBufferPointer { values in
                input.storage.withUnsafeBufferPointer { inp in
                    denseForward(
                        out: out.baseAddress, inp: inp.baseAddress, weight: values.baseAddress! + weight.offset,
                        bias: bias.map { values.baseAddress! + $0.offset }, activation: activation,
                        rows: input.rows, inputCount: inputCount, outputCount: outputCount)
                }
            }
        }
    }

    /// Accumulates dW += dPre^T * input and db += column sums of dPre into `parameters.gradients`, and sets
    /// ``inputGradient`` = dPre * W, where dPre = dOut * f'(pre-activation) (dOut without activation).
    ///
    /// - Parameters:
    ///   - parameters: receives the weight and bias gradients (+=).
    ///   - dOutput: d(loss)/d(output) [R, OC].
    ///   - input: the input of the last forward [R, C].
    public mutating func backward(_ parameters: inout Parameters, dOutput: Matrix, input: Matrix) {
        guard let forwardRows else { preconditionFailure("Dense: backward before forward") }
        precondition(
            dOutput.rows == forwardRows && dOutput.columns == outputCount && input.rows == forwardRows
                && input.columns == inputCount,
            "Dense: backward got dOutput \(dOutput) and input \(input), forward was [\(forwardRows), \(inputCount)] -> [\(forwardRows), \(outputCount)]")
        if computesInputGradient { inputGradient.resize(rows: forwardRows, columns: inputCount) }
        if activation != nil { preactivationGradient.resize(rows: forwardRows, columns: outputCount) }
        let (weight, bias, activation, computesInputGradient) = (weight, bias, activation, computesInputGradient)
        inputGradient.storage.withUnsafeMutableBufferPointer { dInp in
            preactivationGradient.storage.withUnsafeMutableBufferPointer { dPre in
                output.storage.withUnsafeBufferPointer { out in
                    denseBackward(
                        &parameters, weight: weight, bias: bias, partials: &partialGradients, dOutput: dOutput,
                        input: input, dInput: computesInputGradient ? dInp.baseAddress : nil,
                        dPreactivation: activation == nil ? nil : dPre.baseAddress, output: out.baseAddress,
                        activation: activation)
                }
            }
        }
    }
}

/// The parts of `rows` for ``denseForward``: about 2^18 multiply-adds and 32 rows each at least, so that a jet-level
/// layer on a small inference batch still splits.
private func denseForwardSplit(rows: Int, inputCount: Int, outputCount: Int) -> RowSplit {
    RowSplit(rows, minimumPerPart: max(32, (1 << 18) / (inputCount * outputCount)))
}

/// The backward pass Dense and Conv1D share, on their matrices: the pointer-level `denseBackward` below into
/// `parameters`, over parts of at least 128 rows (a weight-gradient sgemm with a shorter inner dimension runs
/// slowly) whose sums go to `partials`, grown as needed. The caller passes its own buffers for d(input) and
/// d(pre-activation) (nil: not wanted) and the forward's output (needed with an activation only).
func denseBackward(
    _ parameters: inout Parameters, weight: ParameterSlice, bias: ParameterSlice?, partials: inout [Float],
    dOutput: Matrix, input: Matrix, dInput: UnsafeMutablePointer<Float>?, dPreactivation: UnsafeMutablePointer<Float>?,
    output: UnsafePointer<Float>?, activation: ActivationFunction?
) {
    let (inputCount, outputCount) = (input.columns, dOutput.columns)
    let split = RowSplit(dOutput.rows, minimumPerPart: 128)
    let needed = split.parts * (outputCount * inputCount + outputCount)
    if partials.count < needed { partials = [Float](repeating: 0, count: needed) }
    partials.withUnsafeMutableBufferPointer { partials in
        parameters.gradients.withUnsafeMutableBufferPointer { grads in
            parameters.values.withUnsafeBufferPointer { values in
                dOutput.storage.withUnsafeBufferPointer { dOut in
                    input.storage.withUnsafeBufferPointer { inp in
                        denseBackward(
                            dInp: dInput, dWeight: grads.baseAddress! + weight.offset,
                            dBias: bias.map { grads.baseAddress! + $0.offset }, dPre: dPreactivation,
                            partials: partials.baseAddress!, dOut: dOut.baseAddress, inp: inp.baseAddress, out: output,
                            weight: values.baseAddress! + weight.offset, activation: activation, split: split,
                            inputCount: inputCount, outputCount: outputCount)
                    }
                }
            }
        }
    }
}

/// out[R, OC] = f(inp[R, C] * weight[OC, C]^T + bias[OC]) (bias and f optional), per part of the rows, the parts
/// shared out over the compute threads: the kernel Dense and Conv1D share.
func denseForward(
    out: UnsafeMutablePointer<Float>?, inp: UnsafePointer<Float>?, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, activation: ActivationFunction?, rows: Int, inputCount: Int, outputCount: Int
) {
    guard let out else { return }
    let smallK = SmallKKernels.current
    denseForwardSplit(rows: rows, inputCount: inputCount, outputCount: outputCount).forEachPart { _, rows in
        denseForwardBlock(
            out: out + rows.lowerBound * outputCount, inp: inp.map { $0 + rows.lowerBound * inputCount },
            weight: weight, bias: bias, activation: activation, rows: rows.count, inputCount: inputCount,
            outputCount: outputCount, smallK: smallK)
    }
}

/// ``denseForward`` on one block of rows, on the calling thread (`out` and `inp` point at the block's first row):
/// with the small-K kernels of `smallK` when they take `inputCount` inputs (a ReLU fused into them), else sgemm.
func denseForwardBlock(
    out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>?, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, activation: ActivationFunction?, rows: Int, inputCount: Int, outputCount: Int,
    smallK: SmallKKernels.Path
) {
    if let isa = smallK.isa, inputCount <= SmallKKernels.maximumInputCount {
        let fusesReLU = activation == .relu
        jt_smallk_forward(
            isa, inp, weight, bias, out, rows, Int32(inputCount), Int32(outputCount), fusesReLU ? 1 : 0)
        if let activation, !fusesReLU {
            activationForward(activation, out: out, inp: out, count: rows * outputCount)
        }
        return
    }
    if let bias {
        for r in 0..<rows { (out + r * outputCount).update(from: bias, count: outputCount) }
    }
    gemm(
        transposeA: false, transposeB: true, m: rows, n: outputCount, k: inputCount,
        a: inp, b: weight, beta: bias == nil ? 0 : 1, c: out)
    if let activation {
        activationForward(activation, out: out, inp: out, count: rows * outputCount)
    }
}

/// dWeight[OC, C] += dPre^T * inp, dBias[OC] += column sums of dPre, dInp[R, C] = dPre * weight (when given),
/// with dPre = dOut * f'(pre) written to `dPre` when there is an activation (f' from out = f(pre)), else dOut.
///
/// Each `split` part computes its rows' share of dWeight and dBias into `partials` ([parts, OC * C + OC]); the
/// shares are then added in part order, so the result does not depend on the thread count.
func denseBackward(
    dInp: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?,
    dPre: UnsafeMutablePointer<Float>?, partials: UnsafeMutablePointer<Float>,
    dOut: UnsafePointer<Float>?, inp: UnsafePointer<Float>?, out: UnsafePointer<Float>?, weight: UnsafePointer<Float>,
    activation: ActivationFunction?, split: RowSplit, inputCount: Int, outputCount: Int
) {
    let partialCount = outputCount * inputCount + outputCount
    let smallK = SmallKKernels.current
    split.forEachPart { part, rows in
        let first = rows.lowerBound
        denseBackwardBlock(
            dInp: dInp.map { $0 + first * inputCount }, partialWeight: partials + part * partialCount,
            hasBias: dBias != nil, accumulating: false, dPre: dPre.map { $0 + first * outputCount },
            dOut: dOut.map { $0 + first * outputCount }, inp: inp.map { $0 + first * inputCount },
            out: out.map { $0 + first * outputCount }, weight: weight, activation: activation, rows: rows.count,
            inputCount: inputCount, outputCount: outputCount, smallK: smallK)
    }
    addPartials(partials, parts: split.parts, into: dWeight, dBias, inputCount: inputCount, outputCount: outputCount)
}

/// ``denseBackward`` on one block of rows, on the calling thread (the row pointers point at the block's first
/// row): its share of the weight and bias gradients goes to `partialWeight` [OC, C] followed by the bias's [OC],
/// overwriting them, or added to them when `accumulating`. With the small-K kernels of `smallK` when they take
/// `inputCount` inputs (the ReLU mask fused into the weight gradient's pass), else sgemm.
func denseBackwardBlock(
    dInp: UnsafeMutablePointer<Float>?, partialWeight: UnsafeMutablePointer<Float>, hasBias: Bool, accumulating: Bool,
    dPre: UnsafeMutablePointer<Float>?, dOut: UnsafePointer<Float>?, inp: UnsafePointer<Float>?,
    out: UnsafePointer<Float>?, weight: UnsafePointer<Float>, activation: ActivationFunction?, rows: Int,
    inputCount: Int, outputCount: Int, smallK: SmallKKernels.Path
) {
    let partialBias = partialWeight + outputCount * inputCount
    if let isa = smallK.isa, SmallKKernels.takesBackward(smallK, inputCount: inputCount, activation: activation) {
        // d(pre-activation) into dPre: masked inside the kernel's pass for a ReLU, computed here for another
        // activation.
        let reluOutput = activation == .relu ? out : nil
        if let activation, activation != .relu {
            activationBackward(activation, dInp: dPre, dOut: dOut, inp: nil, out: out, count: rows * outputCount)
        }
        let gradient = activation == nil || reluOutput != nil ? dOut : dPre.map { UnsafePointer($0) }
        jt_smallk_weight_gradient(
            isa, inp, gradient, reluOutput, dPre, reluOutput != nil && dInp != nil ? 1 : 0, partialWeight,
            hasBias ? partialBias : nil, rows, Int32(inputCount), Int32(outputCount), accumulating ? 1 : 0)
        if let dInp {
            jt_smallk_input_gradient(
                isa, activation == nil ? dOut : dPre.map { UnsafePointer($0) }, weight, dInp, rows, Int32(inputCount),
                Int32(outputCount))
        }
        return
    }
    if !accumulating { partialBias.update(repeating: 0, count: outputCount) }
    // dPre and the bias gradient row by row, while the row is in cache.
    let gradient = activation == nil ? dOut : dPre.map { UnsafePointer($0) }
    if let gradient, activation != nil || hasBias {
        for r in 0..<rows {
            let offset = r * outputCount
            if let activation {
                activationBackward(
                    activation, dInp: dPre.map { $0 + offset }, dOut: dOut.map { $0 + offset }, inp: nil,
                    out: out.map { $0 + offset }, count: outputCount)
            }
            if hasBias {
                let row = gradient + offset
                for c in 0..<outputCount { partialBias[c] += row[c] }
            }
        }
    }
    gemm(
        transposeA: true, transposeB: false, m: outputCount, n: inputCount, k: rows,
        a: gradient, b: inp, beta: accumulating ? 1 : 0, c: partialWeight)
    if let dInp {
        gemm(
            transposeA: false, transposeB: false, m: rows, n: inputCount, k: outputCount,
            a: gradient, b: weight, beta: 0, c: dInp)
    }
}

/// dWeight += the weight shares of `parts` partials ([parts, OC * C + OC]) and dBias += their bias shares, in part
/// order.
func addPartials(
    _ partials: UnsafePointer<Float>, parts: Int, into dWeight: UnsafeMutablePointer<Float>,
    _ dBias: UnsafeMutablePointer<Float>?, inputCount: Int, outputCount: Int
) {
    let partialCount = outputCount * inputCount + outputCount
    for part in 0..<parts {
        let partialWeight = partials + part * partialCount
        addElementwise(dWeight, dWeight, partialWeight, count: outputCount * inputCount)
        if let dBias { addElementwise(dBias, dBias, partialWeight + outputCount * inputCount, count: outputCount) }
    }
}
