/// Which network a run trains, with its configuration: the `model` section of a run config and the
/// `architecture` attribute of a model file.
///
/// YAML: `kind: deepsets` (or `cnn1d`) and the chosen model's options under a key of the same name,
/// e.g. `deepsets: {constituentLayers: [100, 100, 128], pooling: sum}`. The other kind's section may be present
/// too (checked, kept, unused), so `--set model.kind=cnn1d` switches models. `inputFeatures`, `jetFeatures` and
/// `classes` are derived from the `features` and `data` sections when not given.
public struct ModelArchitecture: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case deepsets, cnn1d
    }

    public var kind: Kind
    public var deepsets: DeepSetsConfig?
    public var cnn1d: CNN1DConfig?

    public init(deepSets config: DeepSetsConfig) {
        kind = .deepsets
        deepsets = config
    }

    public init(cnn1d config: CNN1DConfig) {
        kind = .cnn1d
        cnn1d = config
    }

    private enum CodingKeys: String, CodingKey, CaseIterable { case kind, deepsets, cnn1d }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        deepsets = try c.decodeIfPresent(DeepSetsConfig.self, forKey: .deepsets)
        cnn1d = try c.decodeIfPresent(CNN1DConfig.self, forKey: .cnn1d)
        switch kind {
        case .deepsets: deepsets = try c.decode(DeepSetsConfig.self, forKey: .deepsets)
        case .cnn1d: cnn1d = try c.decode(CNN1DConfig.self, forKey: .cnn1d)
        }
    }

    /// Number of classes the model separates.
    public var classes: Int {
        switch kind {
        case .deepsets: deepsets!.classes
        case .cnn1d: cnn1d!.classes
        }
    }

    /// The dropout rate of the model's head.
    public var dropout: Float {
        switch kind {
        case .deepsets: deepsets!.dropout
        case .cnn1d: cnn1d!.dropout
        }
    }

    /// A freshly initialised model, reproducible from `seed`.
    public func makeModel(seed: UInt64) throws(JetModelsError) -> any JetModel {
        switch kind {
        case .deepsets: try DeepSetsModel(config: deepsets!, seed: seed)
        case .cnn1d: try CNN1DModel(config: cnn1d!, seed: seed)
        }
    }
}
