import JetCore

/// A 1D convolution along each jet's constituent axis, on packed rows, stride 1 and "same" padding.
///
/// Shapes: input [N, Cin] packed (see ``JetOffsets``), output [N, Cout]; weight [Cout, K, Cin] (NOTE: PyTorch's
/// Conv1d stores [Cout, Cin, K]; see ``weightFromPyTorchLayout(_:outputChannels:inputChannels:kernelSize:)``),
/// bias [Cout]. Output position t of jet b reads positions t + k - (K - 1) / 2, k in 0..<K, of the same jet;
/// positions outside 0..<n_b read as zero (zero halo), so jets never see each other.
///
/// The computation is im2col into [N, K * Cin] with (k, in) ordering, then Dense's kernel with the weight viewed
/// as [Cout, K * Cin]; backward is dW += dOut^T * cols, dCols = dOut * W, then a col2im scatter-add. Every step
/// splits the jets or rows over the compute threads (see ``ComputeThreads``).
///
/// Equivalence with PyTorch: this equals `nn.Conv1d(Cin, Cout, K, padding="same")` applied to the zero-padded
/// [B, Cin, P] tensor, at the valid positions, provided the padded positions hold zeros on input, that is when
/// every block's output is multiplied by the mask (PyTorch's padded positions otherwise pick up the bias and
/// leak into the next layer). Left padding (K - 1) / 2 is also PyTorch's "same" split for even K.
public struct Conv1D: Sendable {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: Int
    /// [outputChannels, kernelSize, inputChannels]
    public let weight: ParameterSlice
    /// [outputChannels], nil without bias.
    public let bias: ParameterSlice?
    /// Set false for a first layer whose input gradient nobody reads (saves one sgemm and the col2im).
    public var computesInputGradient = true
    /// The last forward's result [N, Cout].
    public private(set) var output = Matrix(rows: 0, columns: 0)
    /// The last backward's d(loss)/d(input) [N, Cin] (overwritten).
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    /// im2col of the last forward's input, [N, K * Cin]; kept for the weight gradient.
    private var columns = Matrix(rows: 0, columns: 0)
    private var columnGradient = Matrix(rows: 0, columns: 0)
    /// Per-part weight and bias gradients (see ``denseBackward``).
    private var partialGradients: [Float] = []
    private var forwardOffsets: JetOffsets?

    /// Registers "<name>.weight" [Cout, K, Cin] (decays) and "<name>.bias" [Cout] (no decay).
    public init(
        _ name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int, bias: Bool = true,
        weightInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .constant(0),
        parameters: inout Parameters, rng: inout SeededGenerator
    ) {
        precondition(
            inputChannels > 0 && outputChannels > 0 && kernelSize > 0,
            "Conv1D '\(name)': sizes must be > 0, got Cin \(inputChannels), Cout \(outputChannels), K \(kernelSize)")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        weight = parameters.add(
            name + ".weight", shape: [outputChannels, kernelSize, inputChannels], decays: true,
            initializer: weightInitializer, fanIn: kernelSize * inputChannels, fanOut: kernelSize * outputChannels,
            rng: &rng)
        self.bias = bias
            ? parameters.add(
                name + ".bias", shape: [outputChannels], decays: false, initializer: biasInitializer,
                fanIn: kernelSize * inputChannels, fanOut: kernelSize * outputChannels, rng: &rng)
            : nil
    }

    /// Left padding (K - 1) / 2.
    public var padding: Int { (kernelSize - 1) / 2 }

    /// ``output`` for packed input [N, Cin] with jets at `offsets`.
    public mutating func forward(_ input: Matrix, offsets: JetOffsets, parameters: Parameters) {
        precondition(input.columns == inputChannels, "Conv1D: input has \(input.columns) channels, layer expects \(inputChannels)")
        precondition(input.rows == offsets.constituentCount, "Conv1D: input has \(input.rows) rows, offsets describe \(offsets.constituentCount) constituents")
        forwardOffsets = offsets
        let rows = input.rows
        let width = kernelSize * inputChannels
        columns.resize(rows: rows, columns: width)
        output.resize(rows: rows, columns: outputChannels)
        let (kernelSize, inputChannels, outputChannels, padding) = (kernelSize, inputChannels, outputChannels, padding)
        let (weight, bias) = (weight, bias)
        columns.storage.withUnsafeMutableBufferPointer { cols in
            input.storage.withUnsafeBufferPointer { inp in
                offsets.offsets.withUnsafeBufferPointer { jetOffsets in
                    forEachChunk(of: offsets.jetCount, minimumPerChunk: jetsPerChunk) { jets in
                        im2col(
                            cols: cols.baseAddress, inp: inp.baseAddress, offsets: jetOffsets.baseAddress!, jets: jets,
                            channels: inputChannels, kernelSize: kernelSize, padding: padding)
                    }
                }
            }
            output.storage.withUnsafeMutableBufferPointer { out in
                parameters.values.withUnsafeBufferPointer { values in
                    denseForward(
                        out: out.baseAddress, inp: cols.baseAddress, weight: values.baseAddress! + weight.offset,
                        bias: bias.map { values.baseAddress! + $0.offset }, activation: nil,
                        rows: rows, inputCount: width, outputCount: outputChannels)
                }
            }
        }
    }

    /// Accumulates the weight and bias gradients and sets ``inputGradient`` [N, Cin] (unless
    /// ``computesInputGradient`` is false).
    ///
    /// - Parameters:
    ///   - parameters: receives the weight and bias gradients (+=).
    ///   - dOutput: d(loss)/d(output) [N, Cout].
    ///   - offsets: the jets of the last forward.
    public mutating func backward(_ parameters: inout Parameters, dOutput: Matrix, offsets: JetOffsets) {
        guard let forwardOffsets else { preconditionFailure("Conv1D: backward before forward") }
        precondition(offsets == forwardOffsets, "Conv1D: backward got other jets than the last forward")
        precondition(
            dOutput.rows == offsets.constituentCount && dOutput.columns == outputChannels,
            "Conv1D: dOutput is \(dOutput), expected [\(offsets.constituentCount), \(outputChannels)]")
        let rows = dOutput.rows
        let width = kernelSize * inputChannels
        if computesInputGradient {
            columnGradient.resize(rows: rows, columns: width)
            inputGradient.resize(rows: rows, columns: inputChannels)
        }
        let (kernelSize, inputChannels, padding) = (kernelSize, inputChannels, padding)
        let (weight, bias, computesInputGradient) = (weight, bias, computesInputGradient)
        columnGradient.storage.withUnsafeMutableBufferPointer { dCols in
            denseBackward(
                &parameters, weight: weight, bias: bias, partials: &partialGradients, dOutput: dOutput, input: columns,
                dInput: computesInputGradient ? dCols.baseAddress : nil, dPreactivation: nil, output: nil, activation: nil)
            guard computesInputGradient else { return }
            inputGradient.storage.withUnsafeMutableBufferPointer { dInp in
                offsets.offsets.withUnsafeBufferPointer { jetOffsets in
                    forEachChunk(of: offsets.jetCount, minimumPerChunk: jetsPerChunk) { jets in
                        col2im(
                            dInp: dInp.baseAddress, dCols: dCols.baseAddress, offsets: jetOffsets.baseAddress!, jets: jets,
                            channels: inputChannels, kernelSize: kernelSize, padding: padding)
                    }
                }
            }
        }
    }

    /// Reorders a PyTorch Conv1d weight [Cout, Cin, K] into this layer's [Cout, K, Cin].
    public static func weightFromPyTorchLayout(
        _ torchWeight: [Float], outputChannels: Int, inputChannels: Int, kernelSize: Int
    ) -> [Float] {
        precondition(torchWeight.count == outputChannels * inputChannels * kernelSize, "Conv1D: PyTorch weight has \(torchWeight.count) values, expected \(outputChannels * inputChannels * kernelSize)")
        var weight = [Float](repeating: 0, count: torchWeight.count)
        for o in 0..<outputChannels {
            for c in 0..<inputChannels {
                for k in 0..<kernelSize {
                    weight[(o * kernelSize + k) * inputChannels + c] = torchWeight[(o * inputChannels + c) * kernelSize + k]
                }
            }
        }
        return weight
    }
}

/// Jets per thread below which im2col / col2im stay on one thread.
private let jetsPerChunk = 32

/// For the given jets, cols[N, K * C] row r = offsets[b] + t holds, for k in 0..<K,
/// inp[offsets[b] + t + k - padding, 0..<C], or zeros where t + k - padding is outside 0..<n_b.
private func im2col(
    cols: UnsafeMutablePointer<Float>?, inp: UnsafePointer<Float>?, offsets: UnsafePointer<Int>, jets: Range<Int>,
    channels: Int, kernelSize: Int, padding: Int
) {
    guard let cols, let inp else { return }
    let width = kernelSize * channels
    for jet in jets {
        let first = offsets[jet]
        let n = offsets[jet + 1] - first
        for t in 0..<n {
            let row = cols + (first + t) * width
            for k in 0..<kernelSize {
                let source = t + k - padding
                if source >= 0 && source < n {
                    (row + k * channels).update(from: inp + (first + source) * channels, count: channels)
                } else {
                    (row + k * channels).update(repeating: 0, count: channels)
                }
            }
        }
    }
}

/// The adjoint of im2col for the given jets: their rows of dInp[N, C] become the scatter-add of dCols[N, K * C]
/// back to the positions each entry read.
private func col2im(
    dInp: UnsafeMutablePointer<Float>?, dCols: UnsafePointer<Float>?, offsets: UnsafePointer<Int>, jets: Range<Int>,
    channels: Int, kernelSize: Int, padding: Int
) {
    guard let dInp, let dCols, !jets.isEmpty else { return }
    let width = kernelSize * channels
    let firstRow = offsets[jets.lowerBound]
    (dInp + firstRow * channels).update(repeating: 0, count: (offsets[jets.upperBound] - firstRow) * channels)
    for jet in jets {
        let first = offsets[jet]
        let n = offsets[jet + 1] - first
        for t in 0..<n {
            let row = dCols + (first + t) * width
            for k in 0..<kernelSize {
                let target = t + k - padding
                guard target >= 0 && target < n else { continue }
                let destination = dInp + (first + target) * channels
                let source = row + k * channels
                for c in 0..<channels { destination[c] += source[c] }
            }
        }
    }
}
