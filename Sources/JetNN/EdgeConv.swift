import JetCore

/// ParticleNet's EdgeConv block on packed jets: edge features [x_i, x_j - x_i] over a ``NeighborGraph``, a shared
/// MLP over all edges of the batch (per layer Dense without bias -> BatchNorm -> ReLU, PyTorch's 1x1 Conv2d +
/// BatchNorm2d + ReLU), the mean over each point's neighbours, a shortcut, and ReLU:
///
///     out_i = ReLU(mean_{j in knn(i)} MLP([x_i, x_j - x_i]) + shortcut(x_i))
///
/// The shortcut is Dense (no bias) -> BatchNorm when the input and output widths differ, else the identity (as
/// weaver's `EdgeConvBlock`). A point without neighbours (a single-constituent jet) has a zero mean, so its output
/// is ReLU(shortcut(x_i)).
///
/// Shapes: input [N, C_in] -> ``output`` [N, C_out]; the MLP runs as sgemms on [E, 2 C_in] rows, E the graph's edge
/// count (sum_i n_i min(k, n_i - 1)); BatchNorm statistics are over real edges (and real points for the shortcut)
/// only. A BatchNorm given fewer than two rows in training (a batch of single-constituent jets has no edges) uses
/// its running statistics for that batch. Parameters: "<name>.edge.<l>.weight" [C_(l+1), C_l] with
/// C_0 = 2 C_in, "<name>.edge.<l>.norm.*", "<name>.shortcut.weight" [C_out, C_in], "<name>.shortcut.norm.*".
public struct EdgeConv: Sendable {
    public let inputCount: Int
    public let outputCount: Int
    private var edges = EdgeFeatures()
    private var dense: [Dense]
    private var norms: [BatchNorm]
    private var activations: [Activation]
    private var mean = NeighborMean()
    private var shortcut: (dense: Dense, norm: BatchNorm)?
    private var sum = Matrix(rows: 0, columns: 0)
    private var final = Activation(.relu)
    private var gradient = Matrix(rows: 0, columns: 0)
    /// Set false when nobody reads ``inputGradient`` (a first block outside saliency): saves the gather backward.
    public var computesInputGradient = true
    /// The last backward's d(loss)/d(input) [N, C_in] (overwritten), when ``computesInputGradient``.
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    private var lastGraph: NeighborGraph?

    /// The last forward's result [N, C_out].
    public var output: Matrix { final.output }

    /// Registers the MLP layers `widths` (output sizes, the last one C_out) and the shortcut in `parameters`.
    public init(_ name: String, inputCount: Int, widths: [Int], parameters: inout Parameters, rng: inout SeededGenerator) {
        precondition(inputCount > 0 && !widths.isEmpty && widths.allSatisfy { $0 > 0 }, "EdgeConv '\(name)': sizes \(inputCount) -> \(widths)")
        self.inputCount = inputCount
        outputCount = widths[widths.count - 1]
        let sizes = [2 * inputCount] + widths
        dense = widths.indices.map { l in
            Dense(
                "\(name).edge.\(l)", inputCount: sizes[l], outputCount: sizes[l + 1], bias: false,
                weightInitializer: .fanInUniform, parameters: &parameters, rng: &rng)
        }
        norms = widths.indices.map { l in BatchNorm("\(name).edge.\(l).norm", channels: sizes[l + 1], parameters: &parameters) }
        activations = widths.map { _ in Activation(.relu) }
        if inputCount != outputCount {
            shortcut = (
                Dense(
                    "\(name).shortcut", inputCount: inputCount, outputCount: outputCount, bias: false,
                    weightInitializer: .fanInUniform, parameters: &parameters, rng: &rng),
                BatchNorm("\(name).shortcut.norm", channels: outputCount, parameters: &parameters))
        }
    }

    /// The momentum of the block's BatchNorm layers (setting it sets all of them).
    public var batchNormMomentum: Float {
        get { norms[0].momentum }
        set {
            for l in norms.indices { norms[l].momentum = newValue }
            shortcut?.norm.momentum = newValue
        }
    }

    /// ``output`` for the points `input` [N, C_in] and their `graph`; training uses batch statistics in the
    /// BatchNorm layers and updates their running statistics in `parameters`.
    public mutating func forward(_ input: Matrix, graph: NeighborGraph, parameters: inout Parameters, training: Bool) {
        precondition(input.columns == inputCount, "EdgeConv: input has \(input.columns) columns, the block expects \(inputCount)")
        lastGraph = graph
        edges.forward(input, graph: graph)
        let edgeTraining = training && graph.edgeCount > 1
        for l in dense.indices {
            dense[l].forward(l == 0 ? edges.output : activations[l - 1].output, parameters: parameters)
            norms[l].forward(dense[l].output, parameters: &parameters, training: edgeTraining)
            activations[l].forward(norms[l].output)
        }
        mean.forward(activations[activations.count - 1].output, graph: graph)
        if shortcut != nil {
            shortcut!.dense.forward(input, parameters: parameters)
            shortcut!.norm.forward(shortcut!.dense.output, parameters: &parameters, training: training && input.rows > 1)
            sum.setSum(mean.output, shortcut!.norm.output)
        } else {
            sum.setSum(mean.output, input)
        }
        final.forward(sum)
    }

    /// Accumulates the parameter gradients (+=) from dOutput [N, C_out] and sets ``inputGradient``.
    ///
    /// - Parameter input: the input of the last forward [N, C_in].
    public mutating func backward(_ parameters: inout Parameters, dOutput: Matrix, input: Matrix) {
        guard let graph = lastGraph else { preconditionFailure("EdgeConv: backward before forward") }
        final.backward(dOutput: dOutput, input: sum)
        mean.backward(dOutput: final.inputGradient, graph: graph)
        gradient = mean.inputGradient
        for l in dense.indices.reversed() {
            activations[l].backward(dOutput: gradient, input: norms[l].output)
            norms[l].backward(&parameters, dOutput: activations[l].inputGradient, input: dense[l].output)
            dense[l].computesInputGradient = l > 0 || computesInputGradient
            dense[l].backward(
                &parameters, dOutput: norms[l].inputGradient, input: l == 0 ? edges.output : activations[l - 1].output)
            if l > 0 || computesInputGradient { gradient = dense[l].inputGradient }
        }
        if shortcut != nil {
            shortcut!.norm.backward(&parameters, dOutput: final.inputGradient, input: shortcut!.dense.output)
            shortcut!.dense.computesInputGradient = computesInputGradient
            shortcut!.dense.backward(&parameters, dOutput: shortcut!.norm.inputGradient, input: input)
        }
        guard computesInputGradient else { return }
        edges.backward(dOutput: gradient, graph: graph)
        inputGradient.setSum(edges.inputGradient, shortcut?.dense.inputGradient ?? final.inputGradient)
    }
}
