/// The architecture of a ``DeepSetsModel`` (Deep Sets / Particle Flow Network), as written in a YAML config.
///
/// Per constituent: `constituentLayers` Dense layers, each followed by BatchNorm (when `batchNorm`, statistics
/// over valid constituents only; the Dense then has no bias) and ReLU. Then masked `pooling` over each jet's
/// constituents, the `jetFeatures` jet-level inputs appended, and the head: `headLayers` Dense + ReLU (+ dropout)
/// layers and an output Dense with 1 logit for 2 classes (sigmoid) or `classes` logits (softmax).
/// Missing keys take the defaults below (energyflow's PFN sizes); unknown keys are an error (``ConfigDecoder``).
public struct DeepSetsConfig: Codable, Sendable, Equatable {
    /// How per-constituent representations become one per jet.
    public enum Pooling: String, Codable, Sendable, CaseIterable {
        /// Sum over the jet's constituents (infrared-safe weighting comes from the inputs).
        case sum
        /// Mean over the jet's constituents.
        case mean
        /// Element-wise maximum over the jet's constituents.
        case max
        /// Softmax-weighted sum: weights from a learned score w . h_i per constituent ("pooling.weight").
        case attention
    }

    /// Per-constituent input features F (required).
    public var inputFeatures: Int
    /// Jet-level features appended after pooling (0 = none).
    public var jetFeatures: Int
    /// Output sizes of the per-constituent Dense layers.
    public var constituentLayers: [Int]
    public var pooling: Pooling
    /// BatchNorm after every per-constituent Dense.
    public var batchNorm: Bool
    /// Dropout rate after every hidden head layer (training mode only).
    public var dropout: Float
    /// Output sizes of the hidden jet-level Dense layers.
    public var headLayers: [Int]
    /// Number of classes: 2 gives one logit, more give one logit per class.
    public var classes: Int

    public init(
        inputFeatures: Int, jetFeatures: Int = 0, constituentLayers: [Int] = [100, 100, 128],
        pooling: Pooling = .sum, batchNorm: Bool = false, dropout: Float = 0, headLayers: [Int] = [100, 100, 100],
        classes: Int = 2
    ) {
        self.inputFeatures = inputFeatures
        self.jetFeatures = jetFeatures
        self.constituentLayers = constituentLayers
        self.pooling = pooling
        self.batchNorm = batchNorm
        self.dropout = dropout
        self.headLayers = headLayers
        self.classes = classes
    }

    /// Number of logits the model outputs: 1 for two classes, else `classes`.
    public var logitCount: Int { classes == 2 ? 1 : classes }

    /// Throws ``JetModelsError/invalidValue(path:file:expected:)`` at `model.deepsets.<key>` for the first value out
    /// of range.
    ///
    /// - Parameter file: the config file named in the error; nil for a config built in Swift.
    public func validate(file: String? = nil) throws(JetModelsError) {
        let check = ConfigCheck(.deepsets, file: file)
        try check.positive(inputFeatures, "inputFeatures")
        guard jetFeatures >= 0 else { throw check.invalid("jetFeatures", jetFeatures, expected: "0 or more") }
        try check.layerSizes(constituentLayers, "constituentLayers", allowEmpty: false)
        try check.layerSizes(headLayers, "headLayers", allowEmpty: true)
        try check.dropout(dropout)
        try check.classes(classes)
    }

    private enum CodingKeys: String, CodingKey {
        case inputFeatures, jetFeatures, constituentLayers, pooling, batchNorm, dropout, headLayers, classes
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = DeepSetsConfig(inputFeatures: try c.decode(Int.self, forKey: .inputFeatures))
        self = defaults
        jetFeatures = try c.decode(.jetFeatures, default: defaults.jetFeatures)
        constituentLayers = try c.decode(.constituentLayers, default: defaults.constituentLayers)
        pooling = try c.decode(.pooling, default: defaults.pooling)
        batchNorm = try c.decode(.batchNorm, default: defaults.batchNorm)
        dropout = try c.decode(.dropout, default: defaults.dropout)
        headLayers = try c.decode(.headLayers, default: defaults.headLayers)
        classes = try c.decode(.classes, default: defaults.classes)
    }
}
