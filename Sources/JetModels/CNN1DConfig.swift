/// The architecture of a ``CNN1DModel`` (P-CNN: a 1D CNN over the pt-ordered constituents), as written in a
/// YAML config.
///
/// Blocks: Conv1D (kernel `kernelSize`, zero padding `kernelSize / 2` at each jet's ends, so the output has the
/// jet's length) -> BatchNorm (when `batchNorm`, statistics over valid constituents; the conv then has no bias)
/// -> ReLU; with `residual`, a block whose input and output channel counts are equal adds its input. Then masked
/// global average pooling and the head: `headLayers` Dense + ReLU (+ dropout) layers and an output Dense with
/// 1 logit for 2 classes or `classes` logits. Missing keys take the defaults below; unknown keys are an error
/// (``ConfigDecoder``).
public struct CNN1DConfig: Codable, Sendable, Equatable {
    /// Per-constituent input features F (required).
    public var inputFeatures: Int
    /// Output channels of the Conv1D blocks.
    public var channels: [Int]
    /// Kernel size K (odd).
    public var kernelSize: Int
    /// BatchNorm in every block.
    public var batchNorm: Bool
    /// Identity shortcuts around blocks whose input and output channel counts are equal.
    public var residual: Bool
    /// Dropout rate after every hidden head layer (training mode only).
    public var dropout: Float
    /// Output sizes of the hidden jet-level Dense layers.
    public var headLayers: [Int]
    /// Number of classes: 2 gives one logit, more give one logit per class.
    public var classes: Int

    public init(
        inputFeatures: Int, channels: [Int] = [64, 64, 128, 128], kernelSize: Int = 3, batchNorm: Bool = true,
        residual: Bool = false, dropout: Float = 0, headLayers: [Int] = [128], classes: Int = 2
    ) {
        self.inputFeatures = inputFeatures
        self.channels = channels
        self.kernelSize = kernelSize
        self.batchNorm = batchNorm
        self.residual = residual
        self.dropout = dropout
        self.headLayers = headLayers
        self.classes = classes
    }

    /// Number of logits the model outputs: 1 for two classes, else `classes`.
    public var logitCount: Int { classes == 2 ? 1 : classes }

    /// Throws ``JetModelsError/invalidValue(path:file:expected:)`` at `model.cnn1d.<key>` for the first value out
    /// of range.
    ///
    /// - Parameter file: the config file named in the error; nil for a config built in Swift.
    public func validate(file: String? = nil) throws(JetModelsError) {
        let check = ConfigCheck(.cnn1d, file: file)
        try check.positive(inputFeatures, "inputFeatures")
        try check.layerSizes(channels, "channels", allowEmpty: false)
        guard kernelSize > 0 && kernelSize % 2 == 1 else {
            throw check.invalid("kernelSize", kernelSize, expected: "an odd positive integer")
        }
        try check.layerSizes(headLayers, "headLayers", allowEmpty: true)
        try check.dropout(dropout)
        try check.classes(classes)
    }

    private enum CodingKeys: String, CodingKey {
        case inputFeatures, channels, kernelSize, batchNorm, residual, dropout, headLayers, classes
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = CNN1DConfig(inputFeatures: try c.decode(Int.self, forKey: .inputFeatures))
        self = defaults
        channels = try c.decode(.channels, default: defaults.channels)
        kernelSize = try c.decode(.kernelSize, default: defaults.kernelSize)
        batchNorm = try c.decode(.batchNorm, default: defaults.batchNorm)
        residual = try c.decode(.residual, default: defaults.residual)
        dropout = try c.decode(.dropout, default: defaults.dropout)
        headLayers = try c.decode(.headLayers, default: defaults.headLayers)
        classes = try c.decode(.classes, default: defaults.classes)
    }
}
