import Foundation
import JetCore
import JetData
import JetFeatures
import JetMetrics
import JetModels
import JetNN

/// `jettag reweight closure`: how well the reweighted source matches the target on the jets of the config's
/// held-out folds, which no classifier trained on.
///
/// Per closure observable, weighted histograms of source, reweighted source and target (edges at target
/// quantiles), shape ratios and chi2/ndf before and after; the weight distribution, fraction negative and
/// effective sample size before and after; and a classifier two-sample test: per seed (`closure.seeds`), fresh
/// Deep Sets classifiers trained on one half of the held-out folds
/// (``twoSampleHalves(eventNumbers:heldOutFolds:modulus:)``) and scored on the other, and again with the halves
/// swapped, with the source weighted before and after; the mean weighted AUC of each. When the model has
/// weight variations (``JetModels/WeightVariations``), each observable also gets the spread of the reweighted
/// shape over them and the chi2 after with that spread. Writes `closure.json`, `closure_summary.csv` and `closure_<observable>.csv`
/// (``ClosureReport``), and the classifiers' files in `two_sample_<before|after>_<seed>_<half>/`.
public struct ClosureRun {
    /// Where the new weights come from.
    public enum NewWeights: Equatable, Sendable {
        /// The reweighting run's model file.
        case model(String)
        /// A jet field of the source files (weights made by another tool).
        case field(String)
    }

    /// The reweighting config; nil for the one stored with the model (required with ``NewWeights/field(_:)``).
    public var configFile: String?
    public var newWeights: NewWeights
    /// Source files replacing the config's; empty keeps them.
    public var sourceFiles: [String]
    /// Files to compare with instead of the config's target (e.g. the positive-weight truth); empty keeps them.
    public var truthFiles: [String]
    /// The output directory.
    public var directory: URL
    /// Whether to run the two-sample test.
    public var twoSample: Bool
    /// Threads for reading and BLAS (JetNN's `ComputeThreads`).
    public var threads: Int

    public init(
        configFile: String? = nil, newWeights: NewWeights, sourceFiles: [String] = [], truthFiles: [String] = [],
        directory: URL, twoSample: Bool = true, threads: Int = 1
    ) {
        (self.configFile, self.newWeights, self.sourceFiles, self.truthFiles) =
            (configFile, newWeights, sourceFiles, truthFiles)
        (self.directory, self.twoSample, self.threads) =
            (directory, twoSample, threads)
    }

    /// Measures the closure and writes the files; returns the report. Reads the held-out jets once, batch by batch,
    /// keeping per jet only its weights and observables, and the network inputs of the two-sample test's jets
    /// (about `closure.twoSampleJets` per sample).
    ///
    /// - Parameter progress: a line at the end of the pass and before each two-sample classifier.
    /// - Throws: ``JetTagKitError/closureNeedsConfig(weightField:)`` for weights from a field without a config.
    public func run(progress: (String) -> Void = { _ in }) throws -> ClosureReport {
        var reweighting: (model: ModelFile, info: ReweightingInfo)?
        var weightField: String?
        switch newWeights {
        case .model(let path): reweighting = try ModelFile.readReweighting(from: path)
        case .field(let name): weightField = name
        }
        guard var config = try configFile.map({ try ReweightingConfig.load(path: $0) }) ?? reweighting?.info.config else {
            throw JetTagKitError.closureNeedsConfig(weightField: weightField ?? "")
        }
        ComputeThreads.set(threads)
        if !sourceFiles.isEmpty { config.source.files = sourceFiles }
        if !truthFiles.isEmpty { config.target.files = truthFiles }
        let options = config.options
        let features = try reweighting?.info.features ?? ReweightingData.fittedFeatures(
            config.classifier.features, samples: [config.source, config.target], split: options.split(options.trainingFolds),
            threads: threads)
        let models = try reweighting.map { (try $0.model.makeModels(), try variationModels($0)) }
        var heldOut = HeldOutColumns(observables: config.closure.observables)
        var twoSampleData: ReweightingData?
        // The share of each sample's held-out jets the two-sample test keeps (about closure.twoSampleJets of them).
        let shares = try [config.source, config.target].map { sample in
            let rows = try JetStream(files: sample.files, options: JetReadOptions()).totalJets
            return Double(config.closure.twoSampleJets) / (Double(rows) * Double(options.heldOutFolds.count) / Double(options.modulus))
        }
        var counts = DensityRatio.Counts()
        var variationCounts = DensityRatio.Counts()
        try ReweightingData.forEachBatch(
            source: config.source, target: config.target, split: options.split(options.heldOutFolds),
            extractor: try FeatureExtractor(spec: features), observables: config.closure.observables,
            sourceFields: weightField.map { [$0] } ?? [], batchSize: Self.batchJets, threads: threads
        ) { label, batch in
            var newWeights: [Float] = []
            var variationWeights: [[Float]] = []
            if label == 0 {
                if let (model, variations) = models, let info = reweighting?.info {
                    newWeights = info.densityRatio.weights(
                        old: batch.jets.weights, scores: try batch.jets.probabilities(models: model), counts: &counts)
                    variationWeights = try zip(variations, info.variations?.densityRatios ?? []).map { variation, ratio in
                        ratio.weights(
                            old: batch.jets.weights, scores: try batch.jets.probabilities(models: variation),
                            counts: &variationCounts)
                    }
                } else {
                    newWeights = batch.jets.fields[weightField!]!
                }
            }
            let kept = !self.twoSample ? [] : batch.jets.eventNumbers.indices.filter {
                Self.isInTwoSampleTest(batch.jets.eventNumbers[$0], share: shares[Int(label)])
            }
            heldOut.append(batch, newWeights: newWeights, variationWeights: variationWeights, twoSampleJets: kept)
            guard !kept.isEmpty else { return }
            let subset = batch.subset(kept, weights: kept.map { batch.jets.weights[$0] })
            if twoSampleData == nil { twoSampleData = subset } else { twoSampleData!.append(contentsOf: subset) }
        }
        let (source, target) = (0..<heldOut.sourceCount, heldOut.sourceCount..<heldOut.weights.count)
        progress(
            "held-out jets: \(source.count) source, \(target.count) target"
                + (self.twoSample ? "; the two-sample test holds \(heldOut.twoSampleJets.count) of them" : ""))
        let oldWeights = Array(heldOut.weights[source])
        let targetWeights = Array(heldOut.weights[target])
        var observables: [ObservableClosure] = []
        for observable in config.closure.observables {
            let values = heldOut.observables[observable]!
            let (sourceValues, targetValues) = (Array(values[source]), Array(values[target]))
            let edges = try ObservableClosure.quantileEdges(
                targetValues, bins: config.closure.bins, range: sourceValues.min()!...sourceValues.max()!)
            observables.append(try ObservableClosure(
                name: observable.rawValue, edges: edges, source: sourceValues, oldWeights: oldWeights, newWeights: heldOut.newWeights,
                target: targetValues, targetWeights: targetWeights,
                variationWeights: heldOut.variationWeights))
        }
        let twoSampleAUCs = try twoSampleData.map { jets in
            let (before, after) = (oldWeights + targetWeights, heldOut.newWeights + targetWeights)
            return try twoSampleAUC(
                jets, config: config, features: features, before: heldOut.twoSampleJets.map { before[$0] },
                after: heldOut.twoSampleJets.map { after[$0] }, progress: progress)
        }
        let report = ClosureReport(
            observables: observables, weights: try WeightDiagnostics(old: oldWeights, new: heldOut.newWeights), twoSample: twoSampleAUCs,
            counters: ["jets": counts.jets, "clipped_low": counts.clippedLow, "clipped_high": counts.clippedHigh, "capped": counts.capped],
            variations: reweighting?.info.variations.map { WeightVariationsSummary(count: $0.count, kind: $0.kind.rawValue) })
        try report.write(to: directory)
        return report
    }

    /// Jets per read batch: a multiple of ``JetModels/defaultJetsPerForward``, so that scoring batch by batch forwards
    /// the jet ranges of one forward over a whole sample.
    static let batchJets = 16_384

    /// The models of each weight variation of a reweighting model (none without variations).
    private func variationModels(_ reweighting: (model: ModelFile, info: ReweightingInfo)) throws -> [[any JetModel]] {
        guard reweighting.info.variations != nil, case .model(let path) = newWeights else { return [] }
        return try reweighting.model.variationModels(path: path).map { try $0.makeModels() }
    }

    /// Whether a held-out jet of a sample is one of the two-sample test's: all when `share` >= 1, else those whose
    /// hashed event number falls below `share` of the range (about that share, the same jets on every run).
    static func isInTwoSampleTest(_ eventNumber: Int64, share: Double) -> Bool {
        share >= 1 || Double(SplitMix64.mixed(UInt64(bitPattern: eventNumber) &+ SplitMix64.increment)) < share * 0x1p64
    }

    /// What the closure keeps of every held-out jet (source jets first, then target jets): no network inputs.
    private struct HeldOutColumns {
        var sourceCount = 0
        /// The sample's event weights, source then target.
        var weights: [Float] = []
        var observables: [JetObservable: [Float]]
        /// The source's new weights, and per weight variation its new weights.
        var newWeights: [Float] = []
        var variationWeights: [[Float]] = []
        /// Positions of the two-sample test's jets (those of its ReweightingData, in order).
        var twoSampleJets: [Int] = []

        init(observables: [JetObservable]) {
            self.observables = Dictionary(uniqueKeysWithValues: observables.map { ($0, []) })
        }

        mutating func append(_ batch: ReweightingData, newWeights: [Float], variationWeights: [[Float]], twoSampleJets kept: [Int]) {
            twoSampleJets += kept.map { weights.count + $0 }
            sourceCount += batch.sourceCount
            weights += batch.jets.weights
            for (observable, values) in batch.observables { observables[observable]! += values }
            self.newWeights += newWeights
            if self.variationWeights.isEmpty { self.variationWeights = variationWeights.map { _ in [] } }
            for (index, values) in variationWeights.enumerated() { self.variationWeights[index] += values }
        }
    }

    /// The two halves of the held-out jets for the two-sample test: the jets (indices into `eventNumbers`) whose
    /// fold (`event_number` mod `modulus`) is in the first half of `heldOutFolds` (rounded down), and the others.
    /// Both jets of an event fall into the same half.
    public static func twoSampleHalves(
        eventNumbers: [Int64], heldOutFolds: [Int], modulus: Int
    ) -> (first: [Int], second: [Int]) {
        let firstFolds = Set(heldOutFolds.prefix(heldOutFolds.count / 2))
        let inFirst = eventNumbers.map { firstFolds.contains(JetSplit.fold(of: $0, modulus: modulus)) }
        return (inFirst.indices.filter { inFirst[$0] }, inFirst.indices.filter { !inFirst[$0] })
    }

    /// AUCs of fresh classifiers with the source weighted by `before` and by `after` ([B], the target's weights
    /// appended): per seed, one trained on the first half of the held-out folds and scored on the second, and one
    /// the other way round (two AUCs per seed on independent test jets: half the variance of one).
    private func twoSampleAUC(
        _ data: ReweightingData, config: ReweightingConfig, features: FeatureSpec, before: [Float], after: [Float],
        progress: (String) -> Void
    ) throws -> TwoSampleAUC {
        let (first, second) = Self.twoSampleHalves(
            eventNumbers: data.jets.eventNumbers, heldOutFolds: config.options.heldOutFolds, modulus: config.options.modulus)
        var aucs: [[Double]] = [[], []]
        for seed in 0..<config.closure.seeds {
            let twoSample = TwoSampleTest(
                config: config.classifier, features: features, epochs: config.closure.epochs,
                seed: config.classifier.training.seed + UInt64(seed))
            for (index, weights) in [before, after].enumerated() {
                for (trained, (training, test)) in [(first, second), (second, first)].enumerated() {
                    progress(
                        "two-sample classifier \(seed * 4 + index * 2 + trained + 1)/\(config.closure.seeds * 4) "
                            + "(\(index == 0 ? "before" : "after"), seed \(seed), \(training.count) training jets)")
                    let scores = try twoSample.scores(
                        training: data.jets.subset(training, weights: training.map { weights[$0] }),
                        test: data.jets.subset(test, weights: test.map { weights[$0] }),
                        directory: directory.appendingPathComponent(
                            "two_sample_\(index == 0 ? "before" : "after")_\(seed)_\(trained)"))
                    aucs[index].append(try ROCCurve(
                        scores: scores, isSignal: test.map { data.jets.labels[$0] == 1 }, weights: test.map { weights[$0] }).auc)
                }
            }
        }
        return TwoSampleAUC(aucBeforeRuns: aucs[0], aucAfterRuns: aucs[1], trainingJets: first.count, testJets: second.count)
    }
}
