import Foundation
import JetData
import JetFeatures
import JetNN

/// Trains a reweighting classifier in a run directory: source (label 0) against target (label 1), negative
/// weights treated as the config says, each class's weight sum normalised in the loss.
///
/// Directory: `model.h5` (the classifier with the lowest validation loss, a standard model file carrying the
/// ``ReweightingInfo``: the density-ratio settings and normalisation, the config, what resampling did), `last.h5`,
/// `history.csv` / `history.json` (from ``Trainer``; in `member<i>/` for an ensemble, `training.ensemble`), and
/// `resampler-source/`, `resampler-target/` for the `resample` strategy.
public struct ReweightingRun {
    public let config: ReweightingConfig
    public let directory: URL

    public init(config: ReweightingConfig, directory: URL) {
        self.config = config
        self.directory = directory
    }

    /// Trains the classifier (after the resamplers, for `resample`) and writes the run directory. Sets JetNN's
    /// `ComputeThreads` to the classifier's `training.threads`. Creates the directory only once the data loaded,
    /// and holds its lock (``RunDirectoryLock``) to the end: a second run into it fails.
    ///
    /// - Parameter progress: the stage ("classifier", "resampler-target", ...) and the trainer's event.
    @discardableResult
    public func run(
        progress: (String, Trainer.Event) -> Void = { _, _ in }, shouldStop: () -> Bool = { false }
    ) throws -> ReweightingInfo {
        let options = config.options
        let threads = config.classifier.training.threads
        ComputeThreads.set(threads)
        let (trainingSplit, validationSplit) = (options.split(options.trainingFolds), options.split(options.validationFolds))
        let features = try ReweightingData.fittedFeatures(
            config.classifier.features, samples: [config.source, config.target], split: trainingSplit, threads: threads)
        let extractor = try FeatureExtractor(spec: features)
        let flattening = options.flattenIn.map { [$0] } ?? []
        var training = try ReweightingData.load(
            source: config.source, target: config.target, split: trainingSplit, extractor: extractor, observables: flattening,
            threads: threads)
        var validation = try ReweightingData.load(
            source: config.source, target: config.target, split: validationSplit, extractor: extractor, observables: flattening,
            threads: threads)
        let lock = try RunDirectoryLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        func sum(_ data: ReweightingData, _ range: Range<Int>) -> Double { range.reduce(0) { $0 + Double(data.jets.weights[$1]) } }
        let sourceSum = sum(training, training.sourceRange) + sum(validation, validation.sourceRange)
        let targetSum = sum(training, training.targetRange) + sum(validation, validation.targetRange)
        guard sourceSum > 0, targetSum > 0 else {
            throw JetModelsError.invalidData("the signed weight sums of source (\(sourceSum)) and target (\(targetSum)) must be positive")
        }
        let original = [training, validation]
        var resampling: [String: NeuralResampler.Summary] = [:]
        switch options.negativeWeights {
        case .signed: break
        case .abs, .drop:
            training = Self.transformed(training, options.negativeWeights)
            validation = Self.transformed(validation, options.negativeWeights)
        case .resample:
            for (label, name) in ["source", "target"].enumerated() {
                let (trainingIndices, validationIndices) = (
                    Self.indices(of: label, in: training.jets), Self.indices(of: label, in: validation.jets)
                )
                guard trainingIndices.contains(where: { training.jets.weights[$0] < 0 }) else { continue }
                let stage = "resampler-\(name)"
                let resampler = try NeuralResampler.train(
                    training: training.jets.subset(trainingIndices, weights: trainingIndices.map { training.jets.weights[$0] }),
                    validation: validation.jets.subset(validationIndices, weights: validationIndices.map { validation.jets.weights[$0] }),
                    features: features, config: config.classifier, directory: directory.appendingPathComponent(stage),
                    progress: { progress(stage, $0) }, shouldStop: shouldStop)
                resampling[name] = try Self.resample(&training, indices: trainingIndices, with: resampler)
                try Self.resample(&validation, indices: validationIndices, with: resampler)
            }
        }
        if let observable = options.flattenIn {
            var parts = [training, validation]
            Self.flatten(&parts, in: observable)
            (training, validation) = (parts[0], parts[1])
        }
        var model = try trainClassifier(
            training: training.jets, validation: validation.jets, features: features, directory: directory, progress: progress,
            shouldStop: shouldStop)
        func densityRatio(_ classifier: ModelFile) throws -> DensityRatio {
            try Self.densityRatio(
                model: classifier, options: options, validation: validation.jets, original: original, targetSum: targetSum)
        }
        let ratio = try densityRatio(model)
        var variations: WeightVariations?
        if options.bootstrap > 0 {
            var ratios: [DensityRatio] = []
            for index in 0..<options.bootstrap {
                let stage = "bootstrap \(index + 1)/\(options.bootstrap) "
                let replica = try trainClassifier(
                    training: training.jets, validation: validation.jets, features: features,
                    directory: directory.appendingPathComponent("bootstrap\(index)"),
                    replica: BootstrapReplica(seed: config.classifier.training.seed, index: index),
                    progress: { progress(stage + $0, $1) }, shouldStop: shouldStop)
                model.bootstrapReplicas.append(replica.members)
                ratios.append(try densityRatio(replica))
            }
            variations = WeightVariations(kind: .bootstrap, densityRatios: ratios)
        } else if model.members.count >= 2 {
            variations = WeightVariations(kind: .ensemble, densityRatios: try model.members.map { try densityRatio(model.with(members: [$0])) })
        }
        let info = ReweightingInfo(
            config: config,
            densityRatio: ratio,
            sourceWeightSum: sourceSum, targetWeightSum: targetSum, resampling: resampling, features: model.features,
            variations: variations)
        model.reweighting = info
        try model.write(to: directory.appendingPathComponent("model.h5").path)
        return info
    }

    /// The classifier, or with `training.ensemble = n` the n classifiers with seeds seed, seed + 1, ... (in
    /// `member<i>/` of `directory`; with `crossTraining` each on its own folds) combined into one model file
    /// whose score is their mean.
    ///
    /// - Parameter replica: a bootstrap replica: every training jet's weight (not the validation jets') is
    ///   multiplied by its event's Poisson count, and the seeds are shifted past the nominal's and the earlier
    ///   replicas' (replica r, member i: seed + (r + 1) n + i), so each replica also has its own initialisation
    ///   and shuffling.
    private func trainClassifier(
        training: JetSet, validation: JetSet, features: FeatureSpec, directory: URL, replica: BootstrapReplica? = nil,
        progress: (String, Trainer.Event) -> Void, shouldStop: () -> Bool
    ) throws -> ModelFile {
        let resampled: (JetSet) -> JetSet = { replica?.resampled($0) ?? $0 }
        var classifier = config.classifier
        classifier.training.seed += UInt64(((replica?.index ?? -1) + 1) * (classifier.training.ensemble ?? 1))
        guard let count = classifier.training.ensemble else {
            return try BinaryClassifierTraining(config: classifier).train(
                training: resampled(training), validation: validation, features: features, directory: directory,
                progress: { progress("classifier", $0) }, shouldStop: shouldStop)
        }
        let options = config.options
        let folds = options.trainingFolds + options.validationFolds
        var pool = training
        if options.crossTraining { pool.append(contentsOf: validation) }
        var members: [ModelFile] = []
        for member in 0..<count {
            var memberConfig = classifier
            memberConfig.training.seed += UInt64(member)
            memberConfig.training.ensemble = nil
            let stage = "classifier member \(member + 1)/\(count)"
            let (memberTraining, memberValidation) = options.crossTraining
                ? Self.split(pool, validationFold: folds[member % folds.count], modulus: options.modulus) : (training, validation)
            members.append(try BinaryClassifierTraining(config: memberConfig).train(
                training: resampled(memberTraining), validation: memberValidation, features: features,
                directory: directory.appendingPathComponent("member\(member)"), progress: { progress(stage, $0) },
                shouldStop: shouldStop))
        }
        var combined = members[0]
        combined.combination = .ensemble(count: count)
        combined.members = members.flatMap(\.members)
        combined.trainingConfig = config.classifier
        return combined
    }

    /// `jets` split into those outside and inside fold `validationFold` (event_number % modulus).
    static func split(_ jets: JetSet, validationFold: Int, modulus: Int) -> (training: JetSet, validation: JetSet) {
        let inFold = jets.eventNumbers.map { JetSplit.fold(of: $0, modulus: modulus) == validationFold }
        let (training, validation) = (jets.labels.indices.filter { !inFold[$0] }, jets.labels.indices.filter { inFold[$0] })
        return (
            jets.subset(training, weights: training.map { jets.weights[$0] }),
            jets.subset(validation, weights: validation.map { jets.weights[$0] })
        )
    }

    /// The density ratio of `model` (the nominal classifier or one variation's): the options' clipping and cap,
    /// with `calibrate` a calibration fitted on the `validation` jets, and the ``normalization(model:jets:targetSum:ratio:)``.
    static func densityRatio(
        model: ModelFile, options: ReweightingConfig.Options, validation: JetSet, original: [ReweightingData], targetSum: Double
    ) throws -> DensityRatio {
        var ratio = DensityRatio(epsilon: options.epsilon, cap: options.cap)
        if options.calibrate {
            let balanced = try BinaryClassifierTraining.classBalanced(validation)
            ratio.calibration = LogitCalibration.fit(
                probabilities: try balanced.probabilities(models: try model.makeModels()), labels: balanced.labels,
                weights: balanced.weights)
        }
        ratio.normalization = try normalization(model: model, jets: original, targetSum: targetSum, ratio: ratio)
        return ratio
    }

    /// The factor making the reweighted source's total equal the target's on the training and validation
    /// jets (`parts`, with their original weights): target sum / sum_i w_i r(x_i) over the source jets. It
    /// also absorbs any constant the classifier's ratio carries (class balancing, flattening).
    static func normalization(
        model: ModelFile, jets parts: [ReweightingData], targetSum: Double, ratio: DensityRatio
    ) throws -> Double {
        let models = try model.makeModels()
        var counts = DensityRatio.Counts()
        var reweightedSum = 0.0
        for part in parts {
            let weights = Array(part.jets.weights[part.sourceRange])
            let f = try part.jets.subset(Array(part.sourceRange), weights: weights).probabilities(models: models)
            for (weight, score) in zip(weights, f) { reweightedSum += Double(weight) * Double(ratio.ratio(score, counts: &counts)) }
        }
        guard reweightedSum > 0 else {
            throw JetModelsError.invalidData("the reweighted source has weight sum \(reweightedSum); cannot normalise it to the target's \(targetSum)")
        }
        return targetSum / reweightedSum
    }

    /// Divides every training weight by the mean |w| of the jets of `parts` (both samples) in its bin of
    /// `observable`: 20 bins at quantiles of the first part's jets.
    static func flatten(_ parts: inout [ReweightingData], in observable: JetObservable) {
        let sorted = parts[0].observables[observable]!.sorted()
        let edges = (1..<20).map { sorted[$0 * sorted.count / 20] }
        func bin(_ value: Float) -> Int { edges.firstIndex { value < $0 } ?? edges.count }
        var (sums, counts) = ([Double](repeating: 0, count: 20), [Double](repeating: 0, count: 20))
        for part in parts {
            for (value, weight) in zip(part.observables[observable]!, part.jets.weights) {
                sums[bin(value)] += Double(Swift.abs(weight))
                counts[bin(value)] += 1
            }
        }
        for p in parts.indices {
            let column = parts[p].observables[observable]!
            for jet in 0..<parts[p].jets.count where sums[bin(column[jet])] > 0 {
                let b = bin(column[jet])
                parts[p].jets.weights[jet] = Float(Double(parts[p].jets.weights[jet]) * counts[b] / sums[b])
            }
        }
    }

    /// Replaces the weights of the jets at `indices` by their resampled ones.
    @discardableResult
    static func resample(_ data: inout ReweightingData, indices: [Int], with resampler: NeuralResampler) throws -> NeuralResampler.Summary {
        let (weights, summary) = try resampler.resampled(data.jets.subset(indices, weights: indices.map { data.jets.weights[$0] }))
        for (position, jet) in indices.enumerated() { data.jets.weights[jet] = weights[position] }
        return summary
    }

    /// Jets of class `label`.
    static func indices(of label: Int, in jets: JetSet) -> [Int] {
        jets.labels.indices.filter { jets.labels[$0] == Int32(label) }
    }

    /// `data` with the `abs` or `drop` strategy applied.
    static func transformed(_ data: ReweightingData, _ strategy: NegativeWeightStrategy) -> ReweightingData {
        let weights = data.jets.weights
        let kept = weights.indices.filter { strategy.transformed(weights[$0]) != nil }
        return data.subset(kept, weights: kept.map { strategy.transformed(weights[$0])! })
    }
}
