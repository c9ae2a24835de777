import Foundation
import JetFeatures
import JetNN

/// What `apply` and `closure` need besides the classifier: the run's config, the density-ratio settings
/// with the normalisation, the weight sums it came from, and what resampling did. Stored in the run's
/// `model.h5` (``ModelFile/reweighting``, attribute `reweighting`); runs of earlier versions kept it as
/// `reweighting.json` beside the model file, which ``ModelFile/readReweighting(from:)`` still reads.
public struct ReweightingInfo: Codable, Sendable {
    /// The file beside the model in which runs of earlier versions stored the info.
    public static let legacyFileName = "reweighting.json"

    public var config: ReweightingConfig
    public var densityRatio: DensityRatio
    /// Signed weight sums of the training and validation folds.
    public var sourceWeightSum: Double
    public var targetWeightSum: Double
    /// Per sample ("source", "target"), for the `resample` strategy.
    public var resampling: [String: NeuralResampler.Summary]
    /// The classifier's fitted feature spec.
    public var features: FeatureSpec
    /// The weight variations (one per ensemble member or bootstrap replica); nil for a single classifier (and
    /// for runs of earlier versions).
    public var variations: WeightVariations?

    private enum CodingKeys: String, CodingKey {
        case config, densityRatio = "density_ratio", sourceWeightSum = "source_weight_sum"
        case targetWeightSum = "target_weight_sum", resampling, features, variations
    }
}

/// The weight variations of a reweighting run: classifiers besides the nominal combination, each turned into
/// weights by its own ``DensityRatio`` (the nominal's clipping and cap, its own normalisation to the target's
/// total and, with `calibrate`, its own calibration), so that an analysis propagates the reweighting's
/// statistical uncertainty as it does generator variations.
///
/// JSON: `{"kind": "ensemble" | "bootstrap", "density_ratios": [...]}`.
public struct WeightVariations: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// Variation i is member i of the nominal seed ensemble (`training.ensemble`).
        case ensemble
        /// Variation i is bootstrap replica i (`reweighting.bootstrap`, ``ModelFile/bootstrapReplicas``).
        case bootstrap
    }

    public var kind: Kind
    /// One per variation.
    public var densityRatios: [DensityRatio]

    public var count: Int { densityRatios.count }

    public init(kind: Kind, densityRatios: [DensityRatio]) {
        self.kind = kind
        self.densityRatios = densityRatios
    }

    private enum CodingKeys: String, CodingKey { case kind, densityRatios = "density_ratios" }
}

extension ModelFile {
    /// The classifier of each weight variation of a reweighting model, as a model file of its own (its
    /// features, the members it averages).
    ///
    /// - Throws: ``JetModelsError/invalidModelFile(file:reason:)`` when the model has no variations (a single
    ///   classifier, or a run of an earlier version) or their classifiers are missing; `path` names the file.
    public func variationModels(path: String) throws -> [ModelFile] {
        guard let variations = reweighting?.variations else {
            throw JetModelsError.invalidModelFile(
                file: path,
                reason: "it has no weight variations: train with training.ensemble of 2 or more or reweighting.bootstrap of 2 or more "
                    + "(a run of an earlier version has none either)")
        }
        let lists: [[[NamedTensor]]] = variations.kind == .ensemble ? members.map { [$0] } : bootstrapReplicas
        guard lists.count == variations.count, lists.allSatisfy({ !$0.isEmpty }) else {
            throw JetModelsError.invalidModelFile(
                file: path, reason: "it lists \(variations.count) \(variations.kind.rawValue) variations but holds \(lists.count) classifiers for them")
        }
        return lists.map(with(members:))
    }

    /// This file with `members` (one: a single model; several: a seed ensemble) and no bootstrap replicas.
    func with(members: [[NamedTensor]]) -> ModelFile {
        var model = self
        model.members = members
        model.combination = members.count == 1 ? .single : .ensemble(count: members.count)
        model.bootstrapReplicas = []
        return model
    }

    /// Reads a reweighting run's model file: the classifier and its ``ReweightingInfo`` (the file's
    /// `reweighting` attribute, or for a run of an earlier version the `reweighting.json` beside the file).
    ///
    /// - Throws: ``JetModelsError/wrongModelKind(file:kind:command:use:)`` for a tagger,
    ///   ``JetModelsError/invalidModelFile(file:reason:)`` for reweighting info that cannot be read.
    public static func readReweighting(from path: String) throws -> (model: ModelFile, info: ReweightingInfo) {
        let model = try read(from: path)
        try model.require(.reweighter, path: path, command: "jettag reweight apply / closure")
        if let info = model.reweighting { return (model, info) }
        let legacy = URL(fileURLWithPath: path).deletingLastPathComponent()
            .appendingPathComponent(ReweightingInfo.legacyFileName)
        guard let data = try? Data(contentsOf: legacy) else {
            throw JetModelsError.invalidModelFile(
                file: path,
                reason: "it has no reweighting info and \(legacy.path) cannot be read")
        }
        do {
            return (model, try JSONDecoder().decode(ReweightingInfo.self, from: data))
        } catch {
            throw JetModelsError.invalidModelFile(file: legacy.path, reason: "it does not decode: \(error)")
        }
    }
}
