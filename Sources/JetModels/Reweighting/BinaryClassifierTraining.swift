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
        return try train(data: data, directory: directory, bestEpoch: bestEpoch, progress: progress, shouldStop: shouldStop)
    }

    /// Trains on `data` as given (held or streamed; its weights already balanced when they should be).
    func train(
        data: any TrainingJets, directory: URL, bestEpoch: Bool = true, progress: (Trainer.Event) -> Void,
        shouldStop: () -> Bool
    ) throws -> ModelFile {
        var trainer = try Trainer(config: config, data: data)
        try trainer.train(directory: directory, progress: progress, shouldStop: shouldStop)
        if bestEpoch { return try ModelFile.read(from: directory.appendingPathComponent("model.h5").path) }
        return trainer.checkpointFile(state: nil)
    }

    /// `jets` with each class's signed weight sum scaled to (jet count) / 2.
    static func classBalanced(_ jets: JetSet) throws -> JetSet {
        var sums = ClassSums()
        for (label, weight) in zip(jets.labels, jets.weights) { sums.add(label: label, weight: weight) }
        try sums.check()
        var balanced = jets
        balanced.weights = zip(jets.labels, jets.weights).map { label, weight in sums.balanced(weight, label: label) }
        return balanced
    }

    /// The per-class signed weight sums and the jet count that class balancing scales by, added jet by jet (the
    /// order fixes the bits, so a streamed pass in the set's order balances exactly as ``classBalanced(_:)``).
    struct ClassSums: Sendable {
        private(set) var sums = [0.0, 0.0]
        private(set) var count = 0

        mutating func add(label: Int32, weight: Float) {
            sums[Int(label)] += Double(weight)
            count += 1
        }

        /// Throws unless both sums are positive.
        func check() throws {
            for (label, sum) in sums.enumerated() where !(sum > 0) {
                throw JetModelsError.invalidData("class \(label) of the classifier's jets has signed weight sum \(sum); it must be positive")
            }
        }

        /// `weight` scaled so that its class sums to half the jets.
        func balanced(_ weight: Float, label: Int32) -> Float { Float(Double(weight) * (Double(count) / 2) / sums[Int(label)]) }
    }
}
