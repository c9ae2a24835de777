import Foundation
import JetFeatures

/// The classifier two-sample test of reweighting closure: a fresh classifier learns to separate the
/// (reweighted) source (label 0) from the target (label 1) on one part of the held-out jets and scores the
/// other part; its weighted AUC there is 0.5 when the weighted samples are indistinguishable to it.
///
/// The classifier is always a Deep Sets on the constituents and the jet features (the config's `model.deepsets`,
/// PFN sizes when the config has none), whatever model kind the reweighter used, so that reweighters of
/// different kinds, and weights made by other tools, are judged by the same test.
public struct TwoSampleTest {
    /// The classifier's run config (Deep Sets, training; `training.epochs` as given, no early stopping).
    public var config: RunConfig
    public var features: FeatureSpec

    /// - Parameter seed: the classifier's seed (initial parameters, shuffling).
    public init(config: RunConfig, features: FeatureSpec, epochs: Int, seed: UInt64) {
        var config = config
        config.training.epochs = epochs
        config.training.seed = seed
        config.training.ensemble = nil
        config.training.patience = 0
        if config.model.kind != .deepsets {
            config.model = ModelArchitecture(deepSets: config.model.deepsets ?? DeepSetsConfig(
                inputFeatures: features.constituentVariables.count, jetFeatures: features.jetVariables.count,
                classes: config.model.classes))
        }
        self.config = config
        self.features = features
    }

    /// Trains on `training` (labels 0/1 and the weights to compare) and returns p(target) for every jet of
    /// `test` [B]; the last epoch's model is used (the test jets never select anything). `directory` receives
    /// the trainer's files.
    public func scores(training: JetSet, test: JetSet, directory: URL) throws -> [Float] {
        let model = try BinaryClassifierTraining(config: config).train(
            training: training, validation: test, features: features, directory: directory, bestEpoch: false,
            progress: { _ in }, shouldStop: { false })
        let models = try model.makeModels()
        return try test.probabilities(models: models)
    }
}
