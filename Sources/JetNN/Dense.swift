import JetData

/// A fully connected layer on rows: out[R, OC] = in[R, C] * W^T + b.
///
/// Shapes: input [R, C] (R = packed constituents N for a per-constituent network, or jets B), output [R, OC];
/// weight [OC, C] (PyTorch's Linear layout), bias [OC]. Both directions are one `cblas_sgemm` each.
public struct Dense: Sendable {
    public let inputCount: Int
    public let outputCount: Int
    /// [outputCount, inputCount]
    public let weight: ParameterSlice
    /// [outputCount], nil without bias.
    public let bias: ParameterSlice?
    /// Set false for a first layer whose input gradient nobody reads (saves one sgemm in backward).
    public var computesInputGradient = true
    /// The last forward's result [R, OC].
    public private(set) var output = Matrix(rows: 0, columns: 0)
    /// The last backward's d(loss)/d(input) [R, C] (overwritten, not accumulated).
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    private var forwardRows: Int?

    /// Registers "<name>.weight" (decays) and "<name>.bias" (no decay) in `parameters`.
    public init(
        _ name: String, inputCount: Int, outputCount: Int, bias: Bool = true,
        weightInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .constant(0),
        parameters: inout Parameters, rng: inout SeededGenerator
    ) {
        precondition(inputCount > 0 && outputCount > 0, "Dense '\(name)': sizes must be > 0, got \(inputCount) -> \(outputCount)")
        self.inputCount = inputCount
        self.outputCount = outputCount
        weight = parameters.add(
            name + ".weight", shape: [outputCount, inputCount], decays: true, initializer: weightInitializer,
            fanIn: inputCount, fanOut: outputCount, rng: &rng)
        self.bias = bias
            ? parameters.add(
                name + ".bias", shape: [outputCount], decays: false, initializer: biasInitializer,
                fanIn: inputCount, fanOut: outputCount, rng: &rng)
            : nil
    }

    /// Computes ``output`` = input * W^T + b for input [R, inputCount].
    public mutating func forward(_ input: Matrix, parameters: Parameters) {
        precondition(input.columns == inputCount, "Dense: input has \(input.columns) columns, layer expects \(inputCount)")
        output.resize(rows: input.rows, columns: outputCount)
        forwardRows = input.rows
        let (weight, bias, outputCount, inputCount) = (weight, bias, outputCount, inputCount)
        output.storage.withUnsafeMutableBufferPointer { out in
            parameters.values.withUnsafeBufferPointer { values in
                input.storage.withUnsafeBufferPointer { inp in
                    denseForward(
                        out: out, inp: inp, weight: values.baseAddress! + weight.offset,
                        bias: bias.map { values.baseAddress! + $0.offset },
                        rows: input.rows, inputCount: inputCount, outputCount: outputCount)
                }
            }
        }
    }

    /// Accumulates dW += dOut^T * input and db += column sums of dOut into `parameters.gradients`, and sets
    /// ``inputGradient`` = dOut * W.
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
        let (weight, bias, outputCount, inputCount, computesInputGradient) =
            (weight, bias, outputCount, inputCount, computesInputGradient)
        inputGradient.storage.withUnsafeMutableBufferPointer { dInp in
            parameters.gradients.withUnsafeMutableBufferPointer { grads in
                parameters.values.withUnsafeBufferPointer { values in
                    dOutput.storage.withUnsafeBufferPointer { dOut in
                        input.storage.withUnsafeBufferPointer { inp in
                            denseBackward(
                                dInp: computesInputGradient ? dInp : nil, dWeight: grads.baseAddress! + weight.offset,
                                dBias: bias.map { grads.baseAddress! + $0.offset }, dOut: dOut, inp: inp,
                                weight: values.baseAddress! + weight.offset,
                                rows: forwardRows, inputCount: inputCount, outputCount: outputCount)
                        }
                    }
                }
            }
        }
    }
}

/// out[R, OC] = inp[R, C] * weight[OC, C]^T + bias[OC] (bias optional): the kernel Dense and Conv1D share.
func denseForward(
    out: UnsafeMutableBufferPointer<Float>, inp: UnsafeBufferPointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, rows: Int, inputCount: Int, outputCount: Int
) {
    if let bias {
        for r in 0..<rows { (out.baseAddress! + r * outputCount).update(from: bias, count: outputCount) }
    }
    gemm(
        transposeA: false, transposeB: true, m: rows, n: outputCount, k: inputCount,
        a: inp.baseAddress, b: weight, beta: bias == nil ? 0 : 1, c: out.baseAddress)
}

/// dWeight[OC, C] += dOut^T * inp, dBias[OC] += column sums of dOut, dInp[R, C] = dOut * weight (when given).
func denseBackward(
    dInp: UnsafeMutableBufferPointer<Float>?, dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?,
    dOut: UnsafeBufferPointer<Float>, inp: UnsafeBufferPointer<Float>, weight: UnsafePointer<Float>,
    rows: Int, inputCount: Int, outputCount: Int
) {
    gemm(
        transposeA: true, transposeB: false, m: outputCount, n: inputCount, k: rows,
        a: dOut.baseAddress, b: inp.baseAddress, beta: 1, c: dWeight)
    if let dBias {
        for r in 0..<rows {
            let row = dOut.baseAddress! + r * outputCount
            for c in 0..<outputCount { dBias[c] += row[c] }
        }
    }
    if let dInp {
        gemm(
            transposeA: false, transposeB: false, m: rows, n: inputCount, k: outputCount,
            a: dOut.baseAddress, b: weight, beta: 0, c: dInp.baseAddress)
    }
}
