/// Dense layers applied to every row one after the other (a per-constituent network), run block by block: each
/// block of ``rowsPerBlock`` rows goes through every layer before the next block starts, forward and backward, so
/// its activations stay in the core's cache from one layer to the next instead of streaming the whole batch
/// through memory once per layer (two threads share that memory bandwidth).
///
/// Shapes: input [R, C_0]; layer l maps [R, C_l] to [R, C_(l+1)]; ``output`` [R, C_L]. Each thread takes whole
/// ``RowSplit`` parts; the weight gradients of a part's blocks accumulate in block order and the parts' sums are
/// added in part order, so the results do not depend on the thread count.
public struct DenseStack: Sendable {
    /// Rows per block: three activations of up to 128 columns and OpenBLAS's packed copies fit a 512 KB L2.
    public static let rowsPerBlock = 256

    let layers: [Dense]
    /// The last forward's output of the last layer [R, C_L].
    public private(set) var output = Matrix(rows: 0, columns: 0)
    /// The last backward's d(loss)/d(input) [R, C_0], when ``computesInputGradient``.
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    /// Set true when the input gradient is wanted (saliency); the first layer's input needs none in training.
    public var computesInputGradient = false
    /// The outputs of layers 0..<L-1, one [R, C_(l+1)] block after the other (a flat buffer).
    private var hidden = Matrix(rows: 0, columns: 0)
    /// Per part, three gradient blocks [rowsPerBlock, max C]: d(pre-activation), and d(output) in turns.
    private var scratch: [Float] = []
    /// Per layer, per part: the part's weight gradient [C_(l+1), C_l] followed by its bias gradient.
    private var partials: [Float] = []
    private var forwardRows: Int?

    /// Chains `layers` (each one's input count the previous one's output count).
    public init(_ layers: [Dense]) {
        precondition(!layers.isEmpty, "DenseStack: no layers")
        for (a, b) in zip(layers, layers.dropFirst()) {
            precondition(
                a.outputCount == b.inputCount, "DenseStack: a layer of \(a.outputCount) outputs feeds one of \(b.inputCount) inputs")
        }
        self.layers = layers
    }

    /// Computes every layer's output for input [R, C_0]; ``output`` is the last one's.
    public mutating func forward(_ input: Matrix, parameters: Parameters) {
        precondition(
            input.columns == layers[0].inputCount,
            "DenseStack: input has \(input.columns) columns, the first layer expects \(layers[0].inputCount)")
        let rows = input.rows
        forwardRows = rows
        output.resize(rows: rows, columns: layers[layers.count - 1].outputCount)
        hidden.resize(rows: rows, columns: layers.dropLast().reduce(0) { $0 + $1.outputCount })
        let layers = layers
        hidden.storage.withUnsafeMutableBufferPointer { hidden in
            output.storage.withUnsafeMutableBufferPointer { out in
                input.storage.withUnsafeBufferPointer { inp in
                    parameters.values.withUnsafeBufferPointer { values in
                        let activations = LayerActivations(layers: layers, rows: rows, hidden: hidden.baseAddress, output: out.baseAddress)
                        let values = values.baseAddress!
                        let smallK = SmallKKernels.current
                        RowSplit(rows, minimumPerPart: Self.rowsPerBlock).forEachPart { _, part in
                            for block in blocks(of: part) {
                                for (l, layer) in layers.enumerated() {
                                    denseForwardBlock(
                                        out: activations.rows(block, ofLayer: l)!,
                                        inp: l == 0 ? inp.baseAddress.map { $0 + block.lowerBound * layer.inputCount }
                                            : UnsafePointer(activations.rows(block, ofLayer: l - 1)),
                                        weight: values + layer.weight.offset, bias: layer.bias.map { values + $0.offset },
                                        activation: layer.activation, rows: block.count, inputCount: layer.inputCount,
                                        outputCount: layer.outputCount, smallK: smallK)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Accumulates every layer's weight and bias gradients into `parameters.gradients` (+=) from dOutput [R, C_L],
    /// d(loss)/d(``output``), and sets ``inputGradient`` when ``computesInputGradient``.
    ///
    /// - Parameter input: the input of the last forward [R, C_0].
    public mutating func backward(_ parameters: inout Parameters, dOutput: Matrix, input: Matrix) {
        guard let rows = forwardRows else { preconditionFailure("DenseStack: backward before forward") }
        precondition(
            dOutput.rows == rows && dOutput.columns == output.columns && input.rows == rows
                && input.columns == layers[0].inputCount,
            "DenseStack: backward got dOutput \(dOutput) and input \(input), forward was [\(rows), \(layers[0].inputCount)] -> \(output)")
        if computesInputGradient { inputGradient.resize(rows: rows, columns: layers[0].inputCount) }
        guard rows > 0 else { return }
        let split = RowSplit(rows, minimumPerPart: Self.rowsPerBlock)
        let partialSizes = layers.map { $0.outputCount * $0.inputCount + $0.outputCount }
        let partialStarts = partialSizes.indices.map { split.parts * partialSizes[..<$0].reduce(0, +) }
        if partials.count < split.parts * partialSizes.reduce(0, +) {
            partials = [Float](repeating: 0, count: split.parts * partialSizes.reduce(0, +))
        }
        let blockSize = Self.rowsPerBlock * layers.reduce(layers[0].inputCount) { max($0, $1.outputCount) }
        if scratch.count < split.parts * 3 * blockSize { scratch = [Float](repeating: 0, count: split.parts * 3 * blockSize) }
        let (layers, computesInputGradient) = (layers, computesInputGradient)
        hidden.storage.withUnsafeBufferPointer { hidden in
            output.storage.withUnsafeBufferPointer { out in
                inputGradient.storage.withUnsafeMutableBufferPointer { dInput in
                    scratch.withUnsafeMutableBufferPointer { scratch in
                        partials.withUnsafeMutableBufferPointer { partials in
                            input.storage.withUnsafeBufferPointer { inp in
                                dOutput.storage.withUnsafeBufferPointer { dOut in
                                    parameters.values.withUnsafeBufferPointer { values in
                                        let pass = BackwardPass(
                                            layers: layers,
                                            activations: LayerActivations(
                                                layers: layers, rows: rows, hidden: hidden.baseAddress.map(UnsafeMutablePointer.init(mutating:)),
                                                output: out.baseAddress.map(UnsafeMutablePointer.init(mutating:))),
                                            input: inp.baseAddress, dOutput: dOut.baseAddress!,
                                            dInput: computesInputGradient ? dInput.baseAddress : nil, values: values.baseAddress!,
                                            partials: partials.baseAddress!, partialStarts: partialStarts, partialSizes: partialSizes,
                                            scratch: scratch.baseAddress!, blockSize: blockSize, smallK: SmallKKernels.current)
                                        split.forEachPart(pass.run)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        parameters.gradients.withUnsafeMutableBufferPointer { grads in
            partials.withUnsafeBufferPointer { partials in
                for (l, layer) in layers.enumerated() {
                    addPartials(
                        partials.baseAddress! + partialStarts[l], parts: split.parts, into: grads.baseAddress! + layer.weight.offset,
                        layer.bias.map { grads.baseAddress! + $0.offset }, inputCount: layer.inputCount,
                        outputCount: layer.outputCount)
                }
            }
        }
    }
}

/// The buffers of one ``DenseStack/backward``, and the work of one of its row parts.
private struct BackwardPass {
    let layers: [Dense]
    let activations: LayerActivations
    let input: UnsafePointer<Float>?
    let dOutput: UnsafePointer<Float>
    /// d(loss)/d(input) [R, C_0], nil when not wanted.
    let dInput: UnsafeMutablePointer<Float>?
    let values: UnsafePointer<Float>
    let partials: UnsafeMutablePointer<Float>
    let partialStarts: [Int]
    let partialSizes: [Int]
    /// Three blocks of `blockSize` per part: d(pre-activation), then two d(output) blocks used in turns.
    let scratch: UnsafeMutablePointer<Float>
    let blockSize: Int
    /// The small-K kernels' path, read on the calling thread.
    let smallK: SmallKKernels.Path

    /// The blocks of `rows` (part `part`), each from the last layer to the first; the weight gradients go to the
    /// part's partials, the first block's overwriting them and the others' added in block order.
    func run(part: Int, rows: Range<Int>) {
        let dPre = scratch + part * 3 * blockSize
        var gradients = (dPre + blockSize, dPre + 2 * blockSize)
        for (index, block) in blocks(of: rows).enumerated() {
            var gradient = dOutput + block.lowerBound * layers[layers.count - 1].outputCount
            for l in layers.indices.reversed() {
                let layer = layers[l]
                denseBackwardBlock(
                    dInp: l > 0 ? gradients.0 : dInput.map { $0 + block.lowerBound * layer.inputCount },
                    partialWeight: partials + partialStarts[l] + part * partialSizes[l], hasBias: layer.bias != nil,
                    accumulating: index > 0, dPre: dPre, dOut: gradient,
                    inp: l == 0
                        ? input.map { $0 + block.lowerBound * layer.inputCount }
                        : UnsafePointer(activations.rows(block, ofLayer: l - 1)),
                    out: UnsafePointer(activations.rows(block, ofLayer: l)), weight: values + layer.weight.offset,
                    activation: layer.activation, rows: block.count, inputCount: layer.inputCount,
                    outputCount: layer.outputCount, smallK: smallK)
                gradient = UnsafePointer(gradients.0)
                gradients = (gradients.1, gradients.0)
            }
        }
    }
}

/// Where each layer's output rows live: layers 0..<L-1 in the hidden buffer, one [R, C_(l+1)] block after the
/// other, the last one in the output matrix.
private struct LayerActivations {
    let starts: [UnsafeMutablePointer<Float>?]
    let widths: [Int]

    init(layers: [Dense], rows: Int, hidden: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>?) {
        var starts: [UnsafeMutablePointer<Float>?] = []
        var offset = 0
        for layer in layers.dropLast() {
            starts.append(hidden.map { $0 + offset })
            offset += rows * layer.outputCount
        }
        self.starts = starts + [output]
        widths = layers.map(\.outputCount)
    }

    /// The first of the rows `block` of layer `l`'s output.
    func rows(_ block: Range<Int>, ofLayer l: Int) -> UnsafeMutablePointer<Float>? {
        starts[l].map { $0 + block.lowerBound * widths[l] }
    }
}

/// `rows` in blocks of ``DenseStack/rowsPerBlock`` (computed as they are visited, no array per part).
private func blocks(of rows: Range<Int>) -> some Sequence<Range<Int>> {
    stride(from: rows.lowerBound, to: rows.upperBound, by: DenseStack.rowsPerBlock).lazy.map {
        $0..<min($0 + DenseStack.rowsPerBlock, rows.upperBound)
    }
}
