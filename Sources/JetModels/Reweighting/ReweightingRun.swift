import Foundation
import JetCore
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
    /// `ComputeThreads` to the classifier's `training.threads`. Holds the directory's lock (``RunDirectoryLock``)
    /// to the end: a second run into it fails. In memory the directory is created only once the data loaded;
    /// streamed (``holdsInMemory()``) first, as the scratch file goes into it (removed at the end and on error).
    ///
    /// - Parameter progress: the stage ("classifier", "resampler-target", "data" for the streaming passes, ...)
    ///   and the trainer's event.
    @discardableResult
    public func run(
        progress: (String, Trainer.Event) -> Void = { _, _ in }, shouldStop: () -> Bool = { false }
    ) throws -> ReweightingInfo {
        let options = config.options
        let threads = config.classifier.training.threads
        ComputeThreads.set(threads)
        let splits = (training: options.split(options.trainingFolds), validation: options.split(options.validationFolds))
        let inMemory = try holdsInMemory()
        if !inMemory && !config.classifier.features.isStandardized {
            progress("data", .note("streaming: a pass over the training split to fit the standardisation"))
        }
        let features = try ReweightingData.fittedFeatures(
            config.classifier.features, samples: [config.source, config.target], split: splits.training, threads: threads)
        guard inMemory else {
            return try runStreamed(features: features, splits: splits, progress: progress, shouldStop: shouldStop)
        }
        let extractor = try FeatureExtractor(spec: features)
        let flattening = options.flattenIn.map { [$0] } ?? []
        var training = try ReweightingData.load(
            source: config.source, target: config.target, split: splits.training, extractor: extractor, observables: flattening,
            threads: threads)
        var validation = try ReweightingData.load(
            source: config.source, target: config.target, split: splits.validation, extractor: extractor,
            observables: flattening, threads: threads)
        let lock = try RunDirectoryLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        func sum(_ data: ReweightingData, _ range: Range<Int>) -> Double { range.reduce(0) { $0 + Double(data.jets.weights[$1]) } }
        let sourceSum = sum(training, training.sourceRange) + sum(validation, validation.sourceRange)
        let targetSum = sum(training, training.targetRange) + sum(validation, validation.targetRange)
        try Self.checkSums(source: sourceSum, target: targetSum)
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
        let folds = options.trainingFolds + options.validationFolds
        var pool: JetSet?
        func memberData(member: Int?, replica: BootstrapReplica?) throws -> any TrainingJets {
            var (memberTraining, memberValidation) = (training.jets, validation.jets)
            if let member, options.crossTraining {
                if pool == nil {
                    pool = training.jets
                    pool!.append(contentsOf: validation.jets)
                }
                (memberTraining, memberValidation) = Self.split(
                    pool!, validationFold: folds[member % folds.count], modulus: options.modulus)
            }
            return TrainingData(
                features: features,
                training: try BinaryClassifierTraining.classBalanced(replica?.resampled(memberTraining) ?? memberTraining),
                validation: try BinaryClassifierTraining.classBalanced(memberValidation))
        }
        return try trainAndWrite(
            features: features, sourceSum: sourceSum, targetSum: targetSum, resampling: resampling, data: memberData,
            densityRatio: { model in
                try Self.densityRatio(
                    model: model, options: options,
                    calibration: { models in
                        let balanced = try BinaryClassifierTraining.classBalanced(validation.jets)
                        return (try balanced.probabilities(models: models), balanced.labels, balanced.weights)
                    }, targetSum: targetSum
                ) { body in
                    for part in original {
                        try body(part.jets.subset(Array(part.sourceRange), weights: Array(part.jets.weights[part.sourceRange])))
                    }
                }
            }, progress: progress, shouldStop: shouldStop)
    }

    /// Whether the run holds its jets in memory: the classifier config's `data.inMemory`, or for `auto` whether
    /// their packed size (every row of the source and target files, `features.maxConstituents` constituents of
    /// the constituent variables and the jet variables, 4 bytes each: what the in-memory path holds at most) is at
    /// most ``JetData/DataConfig/inMemoryLimit``.
    public func holdsInMemory() throws -> Bool {
        if let inMemory = config.classifier.data.inMemory { return inMemory }
        let spec = config.classifier.features
        let inputs = ObservableInputs(features: spec)
        var bytes = 0.0
        for sample in [config.source, config.target] {
            let stream = try JetStream(files: sample.files, options: try inputs.readOptions(selection: sample.selection))
            let valuesPerJet = min(stream.maxConstituents, spec.maxConstituents) * spec.constituentVariables.count
                + spec.jetVariables.count
            bytes += Double(stream.totalJets) * Double(valuesPerJet * 4)
        }
        return bytes <= Double(DataConfig.inMemoryLimit)
    }

    /// The streamed run: the classifier inputs extracted once into the scratch file (with the weight sums and the
    /// flattening's training values); with `resample`, per sample with negative training weights a Neural Resampler
    /// trained on the scratch file and a pass writing its weights into it; a pass for the flattening's bin sums, then
    /// per classifier a pass for its entries and class sums before it trains, and per density ratio a pass over the
    /// source jets (and with `calibrate` one over the validation jets).
    private func runStreamed(
        features: FeatureSpec, splits: (training: JetSplit, validation: JetSplit),
        progress: (String, Trainer.Event) -> Void, shouldStop: () -> Bool
    ) throws -> ReweightingInfo {
        let options = config.options
        try FileSystemError.wrapping(path: directory.path, action: "cannot create the run directory") {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        let lock = try RunDirectoryLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        let strategy = options.negativeWeights
        var quantiles = QuantileSample()
        progress("data", .note(
            "streaming: a pass over the source and target files extracting the classifier inputs into a scratch file in "
                + directory.path))
        var scratch = try ReweightingScratch.extract(
            source: config.source, target: config.target, splits: splits, extractor: try FeatureExtractor(spec: features),
            constituents: config.classifier.model.kind != .mlp, observable: options.flattenIn, directory: directory,
            threads: config.classifier.training.threads
        ) { _, weight, value in
            guard options.flattenIn != nil, strategy.transformed(weight) != nil else { return }
            [value].withUnsafeBufferPointer { quantiles.add($0) }
        }
        defer { scratch.remove() }
        let sourceSum = scratch.parts[0].weightSum + scratch.parts[2].weightSum
        let targetSum = scratch.parts[1].weightSum + scratch.parts[3].weightSum
        try Self.checkSums(source: sourceSum, target: targetSum)
        func selection(_ parts: [Int], rule: ScratchSelection.Rule) throws -> ScratchSelection {
            try ScratchSelection(scratch: scratch, parts: parts, rule: rule, shuffleBuffer: config.classifier.data.shuffleBuffer)
        }
        var resampling: [String: NeuralResampler.Summary] = [:]
        if strategy == .resample {
            for (label, name) in ["source", "target"].enumerated() where scratch.parts[label].negativeCount > 0 {
                let stage = "resampler-\(name)"
                progress(stage, .note("streaming: a pass over the scratch file's \(name) weights for the Neural Resampler's jets"))
                let signs = ScratchSelection.Rule(strategy: .signed, modulus: options.modulus, signs: true)
                let resampler = try NeuralResampler.train(
                    signProblem: ScratchTrainingJets(
                        features: features, training: try selection([label], rule: signs),
                        validation: try selection([label + 2], rule: signs)),
                    config: config.classifier, directory: directory.appendingPathComponent(stage),
                    progress: { progress(stage, $0) }, shouldStop: shouldStop)
                progress(stage, .note("streaming: a pass over the \(name) jets of the scratch file writing their resampled weights"))
                let models = try resampler.model.makeModels()
                for part in [label, label + 2] {
                    var summary = NeuralResampler.Summary(negativeBefore: 0, clippedToZero: 0, meanSignFraction: 0)
                    let count = scratch.parts[part].jetCount
                    scratch = try scratch.replacingTrainingWeights(of: part) {
                        try resampler.resampled($0.jets, models: models, adding: &summary, sampleCount: count)
                    }
                    if part == label { resampling[name] = summary }
                }
            }
        }
        let parts = scratch.parts
        var flattening: WeightFlattening?
        if options.flattenIn != nil {
            progress("data", .note("streaming: a pass over the scratch file for the flattening's bin sums"))
            var bins = WeightFlattening(sorted: quantiles.sortedValues())
            let reader = try ReweightingScratch.Reader(scratch)
            for part in parts {
                for block in part.blocks {
                    let head = try reader.head(block)
                    for jet in 0..<block.jets {
                        guard let weight = strategy.transformed(head.weights[jet]) else { continue }
                        bins.add(value: head.observable[jet], weight: weight)
                    }
                }
            }
            flattening = bins
        }
        let folds = options.trainingFolds + options.validationFolds
        func selection(_ parts: [Int], folds: Set<Int>?, replica: BootstrapReplica?) throws -> ScratchSelection {
            try selection(
                parts,
                rule: ScratchSelection.Rule(
                    strategy: strategy, flattening: flattening, replica: replica, folds: folds, modulus: options.modulus))
        }
        func memberData(member: Int?, replica: BootstrapReplica?) throws -> any TrainingJets {
            progress("data", .note("streaming: a pass over the scratch file's weights for the classifier's jets and class sums"))
            guard let member, options.crossTraining else {
                return ScratchTrainingJets(
                    features: features, training: try selection([0, 1], folds: nil, replica: replica),
                    validation: try selection([2, 3], folds: nil, replica: nil))
            }
            let fold = folds[member % folds.count]
            return ScratchTrainingJets(
                features: features, training: try selection([0, 1, 2, 3], folds: Set(folds).subtracting([fold]), replica: replica),
                validation: try selection([0, 1, 2, 3], folds: [fold], replica: nil))
        }
        return try trainAndWrite(
            features: features, sourceSum: sourceSum, targetSum: targetSum, resampling: resampling, data: memberData,
            densityRatio: { model in
                progress("data", .note("streaming: a pass over the source jets of the scratch file for the normalisation"))
                let reader = try ReweightingScratch.Reader(scratch)
                return try Self.densityRatio(
                    model: model, options: options,
                    calibration: { models in
                        progress("data", .note("streaming: a pass over the validation jets of the scratch file for the calibration"))
                        return try selection([2, 3], folds: nil, replica: nil).probabilities(models: models)
                    }, targetSum: targetSum
                ) { body in
                    for part in [0, 2] {
                        for block in parts[part].blocks { try body(try reader.contents(block, part: part, raw: true).jets) }
                    }
                }
            }, progress: progress, shouldStop: shouldStop)
    }

    static func checkSums(source: Double, target: Double) throws {
        guard source > 0, target > 0 else {
            throw JetModelsError.invalidData("the signed weight sums of source (\(source)) and target (\(target)) must be positive")
        }
    }

    /// A classifier's training and validation jets (`member` of an ensemble, nil for a single classifier;
    /// `replica`: a bootstrap replica's counts on the training jets), weights balanced.
    private typealias MemberData = (_ member: Int?, _ replica: BootstrapReplica?) throws -> any TrainingJets

    /// Trains the nominal classifier and the bootstrap replicas on `data`, computes the density ratios and writes
    /// `model.h5` with the ``ReweightingInfo``.
    private func trainAndWrite(
        features: FeatureSpec, sourceSum: Double, targetSum: Double, resampling: [String: NeuralResampler.Summary],
        data: MemberData, densityRatio: (ModelFile) throws -> DensityRatio,
        progress: (String, Trainer.Event) -> Void, shouldStop: () -> Bool
    ) throws -> ReweightingInfo {
        let options = config.options
        var model = try trainClassifier(data: data, directory: directory, progress: progress, shouldStop: shouldStop)
        let ratio = try densityRatio(model)
        var variations: WeightVariations?
        if options.bootstrap > 0 {
            var ratios: [DensityRatio] = []
            for index in 0..<options.bootstrap {
                let stage = "bootstrap \(index + 1)/\(options.bootstrap) "
                let replica = try trainClassifier(
                    data: data, directory: directory.appendingPathComponent("bootstrap\(index)"),
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
        data: MemberData, directory: URL, replica: BootstrapReplica? = nil,
        progress: (String, Trainer.Event) -> Void, shouldStop: () -> Bool
    ) throws -> ModelFile {
        var classifier = config.classifier
        classifier.training.seed += UInt64(((replica?.index ?? -1) + 1) * (classifier.training.ensemble ?? 1))
        guard let count = classifier.training.ensemble else {
            return try BinaryClassifierTraining(config: classifier).train(
                data: try data(nil, replica), directory: directory, progress: { progress("classifier", $0) },
                shouldStop: shouldStop)
        }
        var members: [ModelFile] = []
        for member in 0..<count {
            var memberConfig = classifier
            memberConfig.training.seed += UInt64(member)
            memberConfig.training.ensemble = nil
            let stage = "classifier member \(member + 1)/\(count)"
            members.append(try BinaryClassifierTraining(config: memberConfig).train(
                data: try data(member, replica), directory: directory.appendingPathComponent("member\(member)"),
                progress: { progress(stage, $0) }, shouldStop: shouldStop))
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

    /// The validation jets' probabilities under a model's members, with their labels and class-balanced weights.
    typealias CalibrationJets = (_ models: [any JetModel]) throws -> (probabilities: [Float], labels: [Int32], weights: [Float])

    /// The density ratio of `model` (the nominal classifier or one variation's): the options' clipping and cap,
    /// with `calibrate` a calibration fitted on the `calibration` jets, and the
    /// ``normalization(model:targetSum:ratio:sources:)``.
    static func densityRatio(
        model: ModelFile, options: ReweightingConfig.Options, calibration: CalibrationJets, targetSum: Double,
        sources: (_ body: (JetSet) throws -> Void) throws -> Void
    ) throws -> DensityRatio {
        var ratio = DensityRatio(epsilon: options.epsilon, cap: options.cap)
        if options.calibrate {
            let jets = try calibration(try model.makeModels())
            ratio.calibration = LogitCalibration.fit(probabilities: jets.probabilities, labels: jets.labels, weights: jets.weights)
        }
        ratio.normalization = try normalization(model: model, targetSum: targetSum, ratio: ratio, sources: sources)
        return ratio
    }

    /// The factor making the reweighted source's total equal the target's on the training and validation
    /// jets (`sources` calls its body with them, their original weights, in order): target sum / sum_i w_i r(x_i)
    /// over the source jets. It also absorbs any constant the classifier's ratio carries (class balancing,
    /// flattening).
    static func normalization(
        model: ModelFile, targetSum: Double, ratio: DensityRatio, sources: (_ body: (JetSet) throws -> Void) throws -> Void
    ) throws -> Double {
        let models = try model.makeModels()
        var counts = DensityRatio.Counts()
        var reweightedSum = 0.0
        try sources { jets in
            let f = try jets.probabilities(models: models)
            for (weight, score) in zip(jets.weights, f) { reweightedSum += Double(weight) * Double(ratio.ratio(score, counts: &counts)) }
        }
        guard reweightedSum > 0 else {
            throw JetModelsError.invalidData("the reweighted source has weight sum \(reweightedSum); cannot normalise it to the target's \(targetSum)")
        }
        return targetSum / reweightedSum
    }

    /// Divides every training weight by the mean |w| of the jets of `parts` (both samples) in its bin of
    /// `observable`: 20 bins at quantiles of the first part's jets (``WeightFlattening``).
    static func flatten(_ parts: inout [ReweightingData], in observable: JetObservable) {
        var flattening = WeightFlattening(sorted: parts[0].observables[observable]!.sorted())
        for part in parts {
            for (value, weight) in zip(part.observables[observable]!, part.jets.weights) { flattening.add(value: value, weight: weight) }
        }
        for p in parts.indices {
            let column = parts[p].observables[observable]!
            for jet in 0..<parts[p].jets.count {
                parts[p].jets.weights[jet] = flattening.flattened(parts[p].jets.weights[jet], value: column[jet])
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
