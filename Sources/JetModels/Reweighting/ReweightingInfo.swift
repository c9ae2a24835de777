import Foundation
import JetFeatures

/// What `apply` and `closure` need besides the classifier: the run's config, the density-ratio settings
/// with the normalisation, the weight sums it came from, and what resampling did. Stored as
/// `reweighting.json` next to the run's `model.h5`.
public struct ReweightingInfo: Codable, Sendable {
    public static let fileName = "reweighting.json"

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

    /// Writes `reweighting.json` into `directory`.
    public func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: directory.appendingPathComponent(Self.fileName), options: .atomic)
    }

    /// Reads the `reweighting.json` next to the model file `modelPath`.
    public static func read(nextTo modelPath: String) throws -> ReweightingInfo {
        let url = URL(fileURLWithPath: modelPath).deletingLastPathComponent().appendingPathComponent(fileName)
        guard let data = try? Data(contentsOf: url) else {
            throw JetModelsError.invalidModelFile(
                file: modelPath, reason: "no \(fileName) next to it: is it the model.h5 of a `jettag reweight train` run?")
        }
        return try JSONDecoder().decode(ReweightingInfo.self, from: data)
    }
}
