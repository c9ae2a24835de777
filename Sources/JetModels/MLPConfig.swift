/// The architecture of an ``MLPModel`` (a multilayer perceptron on jet-level observables only), as written in
/// a YAML config.
///
/// The `jetFeatures` jet-level inputs (the `features.jetVariables`) go through `hiddenLayers` Dense + ReLU
/// (+ dropout) layers and an output Dense with 1 logit for 2 classes or `classes` logits; constituents are not
/// used. Missing keys take the defaults below; unknown keys are an error (``ConfigDecoder``).
public struct MLPConfig: Codable, Sendable, Equatable {
    /// Jet-level input features J (required, derived from `features.jetVariables`).
    public var jetFeatures: Int
    /// Output sizes of the hidden Dense layers.
    public var hiddenLayers: [Int]
    /// Dropout rate after every hidden layer (training mode only).
    public var dropout: Float
    /// Number of classes: 2 gives one logit, more give one logit per class.
    public var classes: Int

    public init(jetFeatures: Int, hiddenLayers: [Int] = [64, 64, 64], dropout: Float = 0, classes: Int = 2) {
        self.jetFeatures = jetFeatures
        self.hiddenLayers = hiddenLayers
        self.dropout = dropout
        self.classes = classes
    }

    /// Number of logits the model outputs: 1 for two classes, else `classes`.
    public var logitCount: Int { classes == 2 ? 1 : classes }

    /// Throws ``JetModelsError/invalidValue(path:file:expected:)`` at `model.mlp.<key>` for the first value out
    /// of range.
    ///
    /// - Parameter file: the config file named in the error; nil for a config built in Swift.
    public func validate(file: String? = nil) throws(JetModelsError) {
        let check = ConfigCheck(.mlp, file: file)
        try check.positive(jetFeatures, "jetFeatures")
        try check.layerSizes(hiddenLayers, "hiddenLayers", allowEmpty: true)
        try check.dropout(dropout)
        try check.classes(classes)
    }

    private enum CodingKeys: String, CodingKey { case jetFeatures, hiddenLayers, dropout, classes }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = MLPConfig(jetFeatures: try c.decode(Int.self, forKey: .jetFeatures))
        self = defaults
        hiddenLayers = try c.decode(.hiddenLayers, default: defaults.hiddenLayers)
        dropout = try c.decode(.dropout, default: defaults.dropout)
        classes = try c.decode(.classes, default: defaults.classes)
    }
}
