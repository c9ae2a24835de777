import Foundation
import JetData
import JetFeatures

/// Everything a training run needs, as written in its YAML config: sections `data`, `features`, `weights`,
/// `model` and `training`, plus the optional `tagger` name used for output fields (`<tagger>_p<class>`;
/// default: the model kind).
///
/// Every default lives in the section types' `init`s and in ``defaultFeatures``. Build one from a parsed
/// YAML or JSON tree with ``load(tree:file:)``, which reports unknown keys and wrong types by their dotted
/// path and the file; the model's `inputFeatures`, `jetFeatures` and `classes` are derived from the other
/// sections.
public struct RunConfig: Codable, Sendable, Equatable {
    public var tagger: String?
    public var data: DataConfig
    public var features: FeatureSpec
    public var weights: WeightsConfig
    public var model: ModelArchitecture
    public var training: TrainingConfig
    /// Whether the model's class count is fixed by the config (`data.classNames` or `model.<kind>.classes`
    /// written, or a config built in Swift), so that ``resolvingClassNames()`` checks it against the data's
    /// class names instead of setting it; never written.
    public var classCountGiven = true

    /// weaver's particle-level inputs for top tagging: pt_log, e_log, logptrel, logerel, deltaR, deta, dphi,
    /// up to 128 constituents, centre and scale fitted on the training split. A `features` section without
    /// `constituentVariables` gets these variables.
    public static let defaultFeatures = FeatureSpec(
        maxConstituents: 128,
        constituentVariables: ["pt_log", "e_log", "logptrel", "logerel", "deltaR", "deta", "dphi"].map {
            VariableSpec($0)
        })

    public init(
        tagger: String? = nil, data: DataConfig, features: FeatureSpec = RunConfig.defaultFeatures,
        weights: WeightsConfig = WeightsConfig(), model: ModelArchitecture, training: TrainingConfig = TrainingConfig()
    ) {
        self.tagger = tagger
        self.data = data
        self.features = features
        self.weights = weights
        self.model = model
        self.training = training
    }

    /// The name prefixing output score fields.
    public var taggerName: String { tagger ?? model.kind.rawValue }

    /// Class names in label order: `data.classNames` (written, or set by ``resolvingClassNames()`` from the data),
    /// else `class0`, `class1`, ...
    public var classNames: [String] { data.classNames ?? (0..<model.classes).map { "class\($0)" } }

    enum CodingKeys: String, CodingKey { case tagger, data, features, weights, model, training }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tagger = try c.decodeIfPresent(String.self, forKey: .tagger)
        data = try c.decode(DataConfig.self, forKey: .data)
        features = try c.decode(.features, default: Self.defaultFeatures)
        weights = try c.decode(.weights, default: WeightsConfig())
        model = try c.decode(ModelArchitecture.self, forKey: .model)
        training = try c.decode(.training, default: TrainingConfig())
    }

    /// The config as compact JSON with sorted keys (as model files store it in `training_config`).
    public func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
