import JetFeatures
import JetMetrics
import JetModels

/// Labelled jets read through a model file: the standardised network inputs (with labels and weights), the
/// class probabilities and the signal score, for the workflows that look inside a model (saliency, report).
///
/// The signal score is p(signal) for two classes and the discriminant log(p_s / mean of the other p_k) for
/// more (``SignalScore``), as in `jettag evaluate` without `--fractions`.
public struct ScoredJets {
    /// Standardised inputs, labels and weights of the jets, in stream order.
    public var jets: JetSet
    /// [B, C] class probabilities.
    public var probabilities: [Float]
    /// [B] signal score.
    public var scores: [Float]
    /// The signal class and the discriminant.
    public var signal: SignalScore

    public var classNames: [String] { signal.classNames }
    public var signalClass: Int { signal.signalClass }
    /// The multi-class discriminant, nil for two classes.
    public var discriminant: TaggingDiscriminant? { signal.discriminant }
    /// Labels as Int.
    public var labels: [Int] { jets.labels.map(Int.init) }

    /// Reads at most `maxJets` jets of `files` (of `part` of the model's split) and scores them; event weights
    /// as trained (``EventWeights/asTrained``).
    ///
    /// - Parameter signalClass: class name counted as signal; default the last class.
    /// - Throws: ``JetTagKitError/noJets(files:part:)`` when no jet is read, ``JetTagKitError`` for an unknown
    ///   signal class, and the stage modules' errors for the files.
    public static func read(
        files: [String], model file: ModelFile, maxJets: Int, part: DataPart = .all, signalClass: String? = nil,
        batchSize: Int = 10_000, threads: Int = 1
    ) throws -> ScoredJets {
        let signal = try SignalScore(classNames: file.classNames, signalClass: signalClass)
        let stream = try LabelledJetStream(
            model: file, files: files, weights: .asTrained, part: part, batchSize: min(batchSize, maxJets),
            threads: threads)
        var jets = JetSet(
            featureCount: file.features.constituentVariables.count, jetFeatureCount: file.features.jetVariables.count)
        var probabilities: [Float] = []
        while let batch = try stream.next(limit: maxJets - jets.count) {
            jets.append(
                batch.features, labels: batch.labels, weights: batch.weights,
                eventNumbers: batch.jets.eventNumbers, fields: [:])
            probabilities += batch.scores.probabilities
        }
        guard jets.count > 0 else { throw JetTagKitError.noJets(files: files, part: part) }
        return ScoredJets(
            jets: jets, probabilities: probabilities, scores: try signal.scores(probabilities: probabilities),
            signal: signal)
    }

    /// What the score axis shows: "p(top)" or the discriminant's formula.
    public var scoreLabel: String { signal.label }

    /// The ROC curve of the signal class against all others.
    public func rocCurve() throws -> ROCCurve {
        try ROCCurve(scores: scores, labels: labels, signalClass: signalClass, weights: jets.weights)
    }
}
