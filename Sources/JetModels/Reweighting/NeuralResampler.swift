import Foundation
import JetFeatures

/// The Neural Resampler (Nachman and Thaler, arXiv:2007.11586): replaces each event weight by a learned local
/// mean, so that negative weights disappear while every weighted distribution keeps its expectation.
///
/// A classifier learns g(x) = E[sign(w) | x] under |w| weights (label 1 for w > 0, 0 for w < 0, weight |w|;
/// g = 2 f - 1): the weighted cross-entropy has the same minimiser as the weighted least-squares regression of
/// sign(w) on x, with outputs bounded in (-1, 1), and keeping the weights' dynamic range (the pT-hat bias spans
/// orders of magnitude) out of the regression target. The new weight |w| * g(x) has E[|w| g(x) | x] =
/// E[w | x]. Where g < 0 (the sample is locally negative) the new weight is clipped to 0 and counted.
public struct NeuralResampler: Sendable {
    /// The sign classifier.
    public let model: ModelFile

    /// What resampling did to one sample.
    public struct Summary: Codable, Sendable, Equatable {
        /// Jets with a negative weight before.
        public var negativeBefore: Int
        /// Jets whose learned local mean was negative (new weight clipped to 0).
        public var clippedToZero: Int
        /// Mean of g(x) over the jets.
        public var meanSignFraction: Double

        private enum CodingKeys: String, CodingKey {
            case negativeBefore = "negative_before", clippedToZero = "clipped_to_zero", meanSignFraction = "mean_sign_fraction"
        }
    }

    /// Trains the sign classifier on `training` (one sample's jets, their event weights), validation loss on
    /// `validation`.
    static func train(
        training: JetSet, validation: JetSet, features: FeatureSpec, config: RunConfig, directory: URL,
        progress: (Trainer.Event) -> Void, shouldStop: () -> Bool
    ) throws -> NeuralResampler {
        try train(
            signProblem: TrainingData(features: features, training: signProblem(training), validation: signProblem(validation)),
            config: config, directory: directory, progress: progress, shouldStop: shouldStop)
    }

    /// Trains the sign classifier on the jets of a ``signProblem(_:)`` (held or streamed).
    static func train(
        signProblem data: any TrainingJets, config: RunConfig, directory: URL, progress: (Trainer.Event) -> Void,
        shouldStop: () -> Bool
    ) throws -> NeuralResampler {
        // Not class-balanced: g needs the true proportions of positive and negative weight at each x.
        NeuralResampler(
            model: try BinaryClassifierTraining(config: config, balanced: false).train(
                data: data, directory: directory, progress: progress, shouldStop: shouldStop))
    }

    /// Labels sign(w) > 0 and weights |w|.
    static func signProblem(_ jets: JetSet) -> JetSet {
        var problem = jets
        problem.labels = jets.weights.map { $0 > 0 ? 1 : 0 }
        problem.weights = jets.weights.map { Swift.abs($0) }
        return problem
    }

    /// The resampled weights |w| * max(g(x), 0) of `jets` [B], and what changed.
    public func resampled(_ jets: JetSet) throws -> (weights: [Float], summary: Summary) {
        var summary = Summary(negativeBefore: 0, clippedToZero: 0, meanSignFraction: 0)
        let weights = try resampled(jets, models: try model.makeModels(), adding: &summary, sampleCount: jets.count)
        return (weights, summary)
    }

    /// The resampled weights of `jets` under the sign classifier's `models` (``ModelFile/makeModels()`` of
    /// ``model``), one block of a sample of `sampleCount` jets resampled block by block in order: its counts and its
    /// share of the mean of g are added to `summary`.
    func resampled(_ jets: JetSet, models: [any JetModel], adding summary: inout Summary, sampleCount: Int) throws -> [Float] {
        let f = try jets.probabilities(models: models)
        var weights = [Float](repeating: 0, count: jets.count)
        for i in 0..<jets.count {
            let g = 2 * f[i] - 1
            summary.meanSignFraction += Double(g) / Double(max(sampleCount, 1))
            if g < 0 { summary.clippedToZero += 1 }
            if jets.weights[i] < 0 { summary.negativeBefore += 1 }
            weights[i] = Swift.abs(jets.weights[i]) * max(g, 0)
        }
        return weights
    }
}
