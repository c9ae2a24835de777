import JetCore
import JetNN

/// A multilayer perceptron on jet-level observables (e.g. mass, multiplicity, width, pT_D): the jet features
/// of each batch go through a ``DenseHead``; constituents are ignored. The jet-level classifier of the
/// reweighting issue (the alternative to a Deep Sets on constituents).
///
/// Sizes: B jets, J = `jetFeatures`. Parameter names: "head.<i>.weight" [out, in] and "head.<i>.bias".
public struct MLPModel: JetModel {
    /// The architecture this model was built from (stored in the model file).
    public let config: MLPConfig
    /// Trainable parameters with their gradients.
    public var parameters: Parameters
    /// Zeros [N, F]: the constituents do not enter the output.
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    public private(set) var jetFeatureGradient: Matrix?
    public var dropoutStreams: DropoutStreams

    private var head: DenseHead
    private var lastBatch: PackedJets?

    /// Builds the model with freshly initialised parameters (PyTorch's default rules), reproducible from `seed`.
    public init(config: MLPConfig, seed: UInt64 = 0) throws(JetModelsError) {
        try config.validate()
        self.config = config
        var rng = SeededGenerator(seed: seed)
        var parameters = Parameters()
        head = DenseHead(
            "head", inputCount: config.jetFeatures, hiddenSizes: config.hiddenLayers, outputCount: config.logitCount,
            dropout: config.dropout, parameters: &parameters, rng: &rng)
        dropoutStreams = DropoutStreams(training: rng)
        self.parameters = parameters
    }

    public var logitCount: Int { config.logitCount }

    /// Always nil: the MLP has no BatchNorm.
    public var batchNormMomentum: Float? {
        get { nil }
        set {}
    }

    public mutating func forward(_ jets: PackedJets, training: Bool) throws(JetModelsError) -> Matrix {
        guard let jetFeatures = jets.jetFeatures, jetFeatures.columns == config.jetFeatures else {
            throw .featureCount(model: "MLP", input: "jet-level", expected: config.jetFeatures, got: jets.jetFeatures?.columns ?? 0)
        }
        guard jetFeatures.rows == jets.jetCount else { throw .jetCount(model: "MLP", expected: jets.jetCount, got: jetFeatures.rows) }
        lastBatch = jets
        head.forward(jetFeatures, parameters: parameters, training: training, streams: &dropoutStreams)
        return head.output
    }

    public mutating func backward(dLogits: Matrix, computeInputGradient: Bool = false) {
        guard let jets = lastBatch, let jetFeatures = jets.jetFeatures else { preconditionFailure("MLPModel: backward before forward") }
        head.backward(&parameters, dOutput: dLogits, input: jetFeatures)
        if computeInputGradient {
            jetFeatureGradient = head.inputGradient
            inputGradient = Matrix(rows: jets.constituents.rows, columns: jets.constituents.columns, repeating: 0)
        }
    }
}

extension MLPModel: CustomStringConvertible {
    /// The architecture in one line, e.g. "MLP: 5 jet features -> [64, 64, 64] -> 1 logit (8769 parameters)".
    public var description: String {
        "MLP: \(config.jetFeatures) jet features -> \(config.hiddenLayers) -> \(logitCountDescription(logitCount)) "
            + "(\(trainableCount(parameters)) parameters)"
    }
}
