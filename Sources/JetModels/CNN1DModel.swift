import JetCore
import JetNN

/// P-CNN: a 1D CNN along each jet's pt-ordered constituents, masked global average pooling, and a jet-level head.
///
/// Sizes: B jets, N valid constituents in the batch (packed, see ``PackedJets``), F = `inputFeatures`,
/// K = `kernelSize`. The convolutions run per jet on its N_b valid rows with a zero halo, which equals PyTorch's
/// `Conv1d(padding=K/2)` on the zero-padded tensor when the activations are multiplied by the mask after every
/// block; BatchNorm statistics use valid constituents only. Parameter names: "conv.<i>.weight" [out, K, in],
/// "conv.<i>.bias" (without BatchNorm), "conv.<i>.norm.weight|bias|running_mean|running_var",
/// "head.<i>.weight|bias".
public struct CNN1DModel: JetModel {
    /// The architecture this model was built from (stored in the model file).
    public let config: CNN1DConfig
    /// Trainable parameters and BatchNorm running statistics with their gradients (names in the type's summary).
    public var parameters: Parameters
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    public var jetFeatureGradient: Matrix? { nil }

    private var convolutions: [Conv1D]
    private var norms: [BatchNorm]
    private var activations: [Activation]
    private var residuals: [Residual]
    /// Whether block i adds its input (residual on and equal channel counts).
    private let hasShortcut: [Bool]
    private var pooling = SetPooling(.mean)
    private var head: DenseHead
    public var dropoutStreams: DropoutStreams
    private var lastOffsets: JetOffsets?

    /// Builds the model with freshly initialised parameters (PyTorch's default rules), reproducible from `seed`.
    public init(config: CNN1DConfig, seed: UInt64 = 0) throws(JetModelsError) {
        try config.validate()
        self.config = config
        var rng = SeededGenerator(seed: seed)
        var parameters = Parameters()
        let sizes = [config.inputFeatures] + config.channels
        convolutions = config.channels.indices.map { i in
            Conv1D(
                "conv.\(i)", inputChannels: sizes[i], outputChannels: sizes[i + 1], kernelSize: config.kernelSize,
                bias: !config.batchNorm, weightInitializer: .fanInUniform, biasInitializer: .fanInUniform,
                parameters: &parameters, rng: &rng)
        }
        norms = config.batchNorm
            ? config.channels.indices.map { i in
                BatchNorm("conv.\(i).norm", channels: sizes[i + 1], parameters: &parameters)
            }
            : []
        activations = config.channels.map { _ in Activation(.relu) }
        residuals = config.channels.map { _ in Residual() }
        hasShortcut = config.channels.indices.map { i in config.residual && sizes[i] == sizes[i + 1] }
        head = DenseHead(
            "head", inputCount: sizes[sizes.count - 1], hiddenSizes: config.headLayers,
            outputCount: config.logitCount, dropout: config.dropout, parameters: &parameters, rng: &rng)
        dropoutStreams = DropoutStreams(training: rng)
        self.parameters = parameters
    }

    public var logitCount: Int { config.logitCount }

    public var batchNormMomentum: Float? {
        get { norms.momentum }
        set { norms.momentum = newValue }
    }

    public mutating func forward(_ jets: PackedJets, training: Bool) throws(JetModelsError) -> Matrix {
        guard jets.constituents.columns == config.inputFeatures else {
            throw .featureCount(
                model: "CNN1D", input: "constituent", expected: config.inputFeatures, got: jets.constituents.columns)
        }
        if let jetFeatures = jets.jetFeatures, jetFeatures.columns > 0 {
            throw .featureCount(model: "CNN1D", input: "jet-level", expected: 0, got: jetFeatures.columns)
        }
        lastOffsets = jets.offsets
        var h = jets.constituents
        for i in convolutions.indices {
            convolutions[i].forward(h, offsets: jets.offsets, parameters: parameters)
            if norms.isEmpty {
                activations[i].forward(convolutions[i].output)
            } else {
                norms[i].forward(convolutions[i].output, parameters: &parameters, training: training)
                activations[i].forward(norms[i].output)
            }
            if hasShortcut[i] {
                residuals[i].forward(h, branchOutput: activations[i].output)
                h = residuals[i].output
            } else {
                h = activations[i].output
            }
        }
        pooling.forward(h, offsets: jets.offsets)
        head.forward(pooling.output, parameters: parameters, training: training, streams: &dropoutStreams)
        return head.output
    }

    public mutating func backward(dLogits: Matrix, computeInputGradient: Bool = false) {
        guard let offsets = lastOffsets else { preconditionFailure("CNN1DModel: backward before forward") }
        head.backward(&parameters, dOutput: dLogits, input: pooling.output)
        pooling.backward(dOutput: head.inputGradient, offsets: offsets)
        // gradient: d(loss)/d(output of block i).
        var gradient = pooling.inputGradient
        for i in convolutions.indices.reversed() {
            if norms.isEmpty {
                activations[i].backward(dOutput: gradient, input: convolutions[i].output)
                convolutions[i].backward(&parameters, dOutput: activations[i].inputGradient, offsets: offsets)
            } else {
                activations[i].backward(dOutput: gradient, input: norms[i].output)
                norms[i].backward(&parameters, dOutput: activations[i].inputGradient, input: convolutions[i].output)
                convolutions[i].backward(&parameters, dOutput: norms[i].inputGradient, offsets: offsets)
            }
            if hasShortcut[i] {
                residuals[i].backward(dOutput: gradient, branchInputGradient: convolutions[i].inputGradient)
                gradient = residuals[i].inputGradient
            } else {
                gradient = convolutions[i].inputGradient
            }
        }
        if computeInputGradient { inputGradient = gradient }
    }
}

extension CNN1DModel: CustomStringConvertible {
    /// The architecture in one line, e.g. "CNN1D: 7 -> conv k=3 [64, 64, 128, 128] with BatchNorm -> mean pooling
    /// -> [128] -> 1 logit (104769 parameters)".
    public var description: String {
        let norm = config.batchNorm ? " with BatchNorm" : ""
        let residual = hasShortcut.contains(true) ? ", residual" : ""
        return "CNN1D: \(config.inputFeatures) -> conv k=\(config.kernelSize) \(config.channels)\(norm)\(residual) -> mean pooling"
            + " -> \(config.headLayers) -> \(logitCountDescription(logitCount)) (\(trainableCount(parameters)) parameters)"
    }
}

