/// Which network a run trains, with its configuration: the `model` section of a run config and the
/// `architecture` attribute of a model file.
///
/// YAML: `kind: deepsets` (or `cnn1d`, `transformer`, `particlenet`, or `mlp` on jet-level observables only) and the chosen model's options
/// under a key of the same name, e.g. `deepsets: {constituentLayers: [100, 100, 128], pooling: sum}`. Other
/// kinds' sections may be present too (checked, kept, unused), so `--set model.kind=cnn1d` switches models.
/// `inputFeatures`, `jetFeatures` and `classes` are derived from the `features` and `data` sections when not given.
public struct ModelArchitecture: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case deepsets, cnn1d, mlp, transformer, particlenet

        /// The derived sizes this kind's config takes: constituent features, jet features, both.
        var derivedSizes: [String] {
            switch self {
            case .deepsets: ["inputFeatures", "jetFeatures", "classes"]
            case .cnn1d: ["inputFeatures", "classes"]
            case .mlp: ["jetFeatures", "classes"]
            case .transformer: ["inputFeatures", "classes"]
            case .particlenet: ["inputFeatures", "jetFeatures", "classes"]
            }
        }
    }

    public var kind: Kind
    public var deepsets: DeepSetsConfig?
    public var cnn1d: CNN1DConfig?
    public var mlp: MLPConfig?
    public var transformer: TransformerConfig?
    public var particlenet: ParticleNetConfig?

    public init(deepSets config: DeepSetsConfig) {
        kind = .deepsets
        deepsets = config
    }

    public init(cnn1d config: CNN1DConfig) {
        kind = .cnn1d
        cnn1d = config
    }

    public init(mlp config: MLPConfig) {
        kind = .mlp
        mlp = config
    }

    public init(transformer config: TransformerConfig) {
        kind = .transformer
        transformer = config
    }

    public init(particleNet config: ParticleNetConfig) {
        kind = .particlenet
        particlenet = config
    }

    private enum CodingKeys: String, CodingKey { case kind, deepsets, cnn1d, mlp, transformer, particlenet }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        deepsets = try c.decodeIfPresent(DeepSetsConfig.self, forKey: .deepsets)
        cnn1d = try c.decodeIfPresent(CNN1DConfig.self, forKey: .cnn1d)
        mlp = try c.decodeIfPresent(MLPConfig.self, forKey: .mlp)
        transformer = try c.decodeIfPresent(TransformerConfig.self, forKey: .transformer)
        particlenet = try c.decodeIfPresent(ParticleNetConfig.self, forKey: .particlenet)
        switch kind {
        case .deepsets: deepsets = try c.decode(DeepSetsConfig.self, forKey: .deepsets)
        case .cnn1d: cnn1d = try c.decode(CNN1DConfig.self, forKey: .cnn1d)
        case .mlp: mlp = try c.decode(MLPConfig.self, forKey: .mlp)
        case .transformer: transformer = try c.decode(TransformerConfig.self, forKey: .transformer)
        case .particlenet: particlenet = try c.decode(ParticleNetConfig.self, forKey: .particlenet)
        }
    }

    /// Number of classes the model separates; setting it sets every section present.
    public var classes: Int {
        get {
            switch kind {
            case .deepsets: deepsets!.classes
            case .cnn1d: cnn1d!.classes
            case .mlp: mlp!.classes
            case .transformer: transformer!.classes
            case .particlenet: particlenet!.classes
            }
        }
        set {
            deepsets?.classes = newValue
            cnn1d?.classes = newValue
            mlp?.classes = newValue
            transformer?.classes = newValue
            particlenet?.classes = newValue
        }
    }

    /// Throws ``JetModelsError/invalidValue(path:file:expected:)`` at `model.<kind>.<key>` for the first value of
    /// the chosen model's section out of range; `file` is named in it.
    public func validate(file: String?) throws(JetModelsError) {
        switch kind {
        case .deepsets: try deepsets!.validate(file: file)
        case .cnn1d: try cnn1d!.validate(file: file)
        case .mlp: try mlp!.validate(file: file)
        case .transformer: try transformer!.validate(file: file)
        case .particlenet: try particlenet!.validate(file: file)
        }
    }

    /// Logits per jet: 1 for a binary model, else the number of classes.
    public var logitCount: Int {
        switch kind {
        case .deepsets: deepsets!.logitCount
        case .cnn1d: cnn1d!.logitCount
        case .mlp: mlp!.logitCount
        case .transformer: transformer!.logitCount
        case .particlenet: particlenet!.logitCount
        }
    }

    /// The dropout rate of the model's head.
    public var dropout: Float {
        switch kind {
        case .deepsets: deepsets!.dropout
        case .cnn1d: cnn1d!.dropout
        case .mlp: mlp!.dropout
        case .transformer: transformer!.dropout
        case .particlenet: particlenet!.dropout
        }
    }

    /// A freshly initialised model, reproducible from `seed`.
    public func makeModel(seed: UInt64) throws(JetModelsError) -> any JetModel {
        switch kind {
        case .deepsets: try DeepSetsModel(config: deepsets!, seed: seed)
        case .cnn1d: try CNN1DModel(config: cnn1d!, seed: seed)
        case .mlp: try MLPModel(config: mlp!, seed: seed)
        case .transformer: try TransformerModel(config: transformer!, seed: seed)
        case .particlenet: try ParticleNetModel(config: particlenet!, seed: seed)
        }
    }
}
