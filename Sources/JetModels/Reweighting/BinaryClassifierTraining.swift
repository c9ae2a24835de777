import Foundation
import JetFeatures
import JetNN

/// Trains a binary classifier (label 0 vs 1) on jets held in memory with the shared ``Trainer``: used for the
/// reweighting classifier, the Neural Resampler and the closure's two-sample test.
///
/// With `balanced`, the two classes' signed weight sums are each normalised to half the jet count, so the
/// classes weigh equally in the loss whatever their totals (the trainer divides by sum |w|) and f / (1 - f)
/// estimates the ratio of the normalised densities; without, the weights are used as given.
struct BinaryClassifierTraining {
    var config: RunConfig
    var balanced = true

    /// Trains on `training` (validation loss on `validation`), writing the run files into `directory`; returns
    /// the trained model: the best epoch's (by validation loss) when `bestEpoch`, else the last.
    func train(
        training: JetSet, validation: JetSet, features: FeatureSpec, directory: URL, bestEpoch: Bool = true,
        progress: (Trainer.Event) -> Void, shouldStop: () -> Bool
    ) throws -> ModelFile {
        let data = balanced
            ? TrainingData(features: features, training: try Self.classBalanced(training), validation: try Self.classBalanced(validation))
            : TrainingData(features: features, training: training, validation: validation)
        var trainer = try Trainer(config: config, data: data)
        try trainer.train(directory: directory, progress: progress, shouldStop: shouldStop)
        if bestEpoch { return try ModelFile.read(from: directory.appendingPathComponent("model.h5").path) }
        return trainer.checkpointFile(state: nil)
    }

    /// `jets` with each class's signed weight sum scaled to (jet count) / 2.
    static func classBalanced(_ jets: JetSet) throws -> JetSet {
        var sums = [0.0, 0.0]
        for (label, weight) in zip(jets.labels, jets.weights) { sums[Int(label)] += Double(weight) }
        for (label, sum) in sums.enumerated() where !(sum > 0) {
            throw JetModelsError.invalidData("class \(label) of the classifier's jets has signed weight sum \(sum); it must be positive")
        }
        var balanced = jets
        let half = Double(jets.count) / 2
        balanced.weights = zip(jets.labels, jets.weights).map { label, weight in Float(Double(weight) * half / sums[Int(label)]) }
        return balanced
    }
}
