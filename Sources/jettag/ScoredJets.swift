import ArgumentParser
import Foundation
import JetData
import JetFeatures
import JetMetrics
import JetModels

/// Labelled jets read through a model file: the standardised network inputs (with labels and weights), the
/// class probabilities and the signal score, for the commands that look inside a model (saliency, report).
///
/// The signal score is p(signal) for two classes and the discriminant log(p_s / mean of the other p_k) for
/// more, as in `jettag evaluate`.
struct ScoredJets {
    /// Standardised inputs, labels and weights of the jets, in stream order.
    var jets: JetSet
    /// [B, C] class probabilities.
    var probabilities: [Float]
    /// [B] signal score.
    var scores: [Float]
    var classNames: [String]
    var signalClass: Int
    /// The multi-class discriminant, nil for two classes.
    var discriminant: TaggingDiscriminant?

    /// Labels as Int.
    var labels: [Int] { jets.labels.map(Int.init) }

    /// Reads at most `maxJets` jets of `files` (restricted to `split` when given) and scores them.
    ///
    /// - Parameters:
    ///   - signalClass: class name counted as signal; default the last class.
    ///   - weighted: read the training config's weight field (else unit weights).
    static func read(
        files: [String], model file: ModelFile, maxJets: Int, split: JetSplit? = nil, signalClass: String? = nil,
        weighted: Bool = true, batchSize: Int = 10_000, threads: Int = 1
    ) throws -> ScoredJets {
        let scorer = try JetScorer(file: file)
        let classNames = file.classNames
        let signal = try signalClass.map { name in
            guard let index = classNames.firstIndex(of: name) else {
                throw ValidationError("--signal-class \(name): the model's classes are \(classNames.joined(separator: ", "))")
            }
            return index
        } ?? classNames.count - 1
        let trainingConfig = file.trainingConfig
        let labelField = trainingConfig.data.labelField
        let weightField = weighted && trainingConfig.weights.eventWeights ? trainingConfig.data.weightField : nil
        var options = scorer.readOptions(batchSize: min(batchSize, maxJets), threads: threads)
        for field in [labelField] + (weightField.map { [$0] } ?? []) where !options.jetFields.contains(field) {
            options.jetFields.append(field)
        }
        options.split = split
        let stream = try JetStream(files: files, options: options)
        let extractor = try FeatureExtractor(spec: file.features)
        var jets = JetSet(featureCount: file.features.constituentVariables.count, jetFeatureCount: file.features.jetVariables.count)
        var probabilities: [Float] = []
        while jets.count < maxJets, var batch = try stream.next() {
            if batch.count > maxJets - jets.count { batch = batch.gathering(Array(0..<(maxJets - jets.count))) }
            let labels = try batch.jetFields[labelField]!.enumerated().map { jet, value in
                guard value == value.rounded(), value >= 0, Int(value) < classNames.count else {
                    throw ValidationError(
                        "\(stream.files[batch.fileIndices[jet]]): jet row \(batch.rows[jet]): label '\(labelField)' is \(value), "
                            + "expected 0..<\(classNames.count) (classes \(classNames.joined(separator: ", ")))")
                }
                return Int32(value)
            }
            let weights = weightField.map { batch.jetFields[$0]! } ?? [Float](repeating: 1, count: batch.count)
            jets.append(try extractor.extract(batch), labels: labels, weights: weights, eventNumbers: batch.eventNumbers, fields: [:])
            probabilities += try scorer.score(batch).probabilities
        }
        guard jets.count > 0 else {
            throw ValidationError("no jets read from \(files.joined(separator: ", "))\(split == nil ? "" : " in the validation split")")
        }
        let discriminant = classNames.count > 2
            ? try TaggingDiscriminant(
                signalClass: signal,
                backgroundFractions: classNames.indices.filter { $0 != signal }.map { ($0, 1 / Double(classNames.count - 1)) })
            : nil
        let scores = try discriminant?.evaluate(probabilities: probabilities, classCount: classNames.count)
            ?? stride(from: signal, to: probabilities.count, by: classNames.count).map { probabilities[$0] }
        return ScoredJets(
            jets: jets, probabilities: probabilities, scores: scores, classNames: classNames, signalClass: signal,
            discriminant: discriminant)
    }

    /// What the score axis shows: "p(top)" or the discriminant's formula.
    var scoreLabel: String {
        discriminant.map { "D = \(SaliencyTarget.discriminant($0).description)" } ?? "p(\(classNames[signalClass]))"
    }

    /// The ROC curve of the signal class against all others.
    func rocCurve() throws -> ROCCurve {
        try ROCCurve(scores: scores, labels: labels, signalClass: signalClass, weights: jets.weights)
    }
}
