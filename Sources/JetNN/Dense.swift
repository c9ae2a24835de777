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
        let rows = input.rows
        output.resize(rows: rows, columns: outputCount)
        forwardRows = rows
        let (weight, bias, outputCount, inputCount) = (weight, bias, outputCount, inputCount)
        output.storage.withUnsafeMutableBufferPointer { out in
            parameters.values.withUnsafeBufferPointer { values in
                input.storage.withUnsafeBufferPointer { inp in
                    if let bias {
                        let b = UnsafeBufferPointer(rebasing: values[bias.range])
                        for r in 0..<rows {
                            _ = UnsafeMutableBufferPointer(rebasing: out[(r * outputCount)..<((r + 1) * outputCount)])
                                .update(fromContentsOf: b)
                        }
                    }
                    gemm(
                        transposeA: false, transposeB: true, m: rows, n: outputCount, k: inputCount,
                        a: inp.baseAddress, b: values.baseAddress! + weight.offset,
                        beta: bias == nil ? 0 : 1, c: out.baseAddress)
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
        let rows = forwardRows
        let (weight, bias, outputCount, inputCount) = (weight, bias, outputCount, inputCount)
        parameters.gradients.withUnsafeMutableBufferPointer { grads in
            dOutput.storage.withUnsafeBufferPointer { dOut in
                input.storage.withUnsafeBufferPointer { inp in
                    gemm(
                        transposeA: true, transposeB: false, m: outputCount, n: inputCount, k: rows,
                        a: dOut.baseAddress, b: inp.baseAddress, beta: 1, c: grads.baseAddress! + weight.offset)
                }
                if let bias {
                    addColumnSums(of: dOut, rows: rows, columns: outputCount, into: grads.baseAddress! + bias.offset)
                }
            }
        }
        guard computesInputGradient else { return }
        inputGradient.resize(rows: rows, columns: inputCount)
        inputGradient.storage.withUnsafeMutableBufferPointer { dInp in
            parameters.values.withUnsafeBufferPointer { values in
                dOutput.storage.withUnsafeBufferPointer { dOut in
                    gemm(
                        transposeA: false, transposeB: false, m: rows, n: inputCount, k: outputCount,
                        a: dOut.baseAddress, b: values.baseAddress! + weight.offset, beta: 0, c: dInp.baseAddress)
                }
            }
        }
    }
}

/// sums[c] += sum over rows of x[r, c] for x [rows, columns].
func addColumnSums(of x: UnsafeBufferPointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let row = x.baseAddress! + r * columns
        for c in 0..<columns { sums[c] += row[c] }
    }
}
