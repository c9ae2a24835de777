import Foundation
import JetFeatures

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

    private enum CodingKeys: String, CodingKey {
        case config, densityRatio = "density_ratio", sourceWeightSum = "source_weight_sum"
        case targetWeightSum = "target_weight_sum", resampling, features
    }
}

extension ModelFile {
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
