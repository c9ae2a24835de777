import Foundation
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

    /// Measures the closure and writes the files; returns the report.
    ///
    /// - Throws: ``JetTagKitError/closureNeedsConfig(weightField:)`` for weights from a field without a config.
    public func run() throws -> ClosureReport {
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
        let heldOut = try ReweightingData.load(
            source: config.source, target: config.target, split: options.split(options.heldOutFolds),
            extractor: try FeatureExtractor(spec: features), observables: config.closure.observables,
            sourceFields: weightField.map { [$0] } ?? [], threads: threads)
        let (source, target) = (heldOut.sourceRange, heldOut.targetRange)
        let oldWeights = Array(heldOut.jets.weights[source])
        let targetWeights = Array(heldOut.jets.weights[target])
        var counts = DensityRatio.Counts()
        let reweighted: [Float]
        var variationWeights: [[Float]] = []
        if let (model, info) = reweighting, case .model(let path) = newWeights {
            let sourceJets = heldOut.jets.subset(Array(source), weights: oldWeights)
            reweighted = info.densityRatio.weights(
                old: oldWeights, scores: try sourceJets.probabilities(models: try model.makeModels()), counts: &counts)
            if let variations = info.variations {
                var variationCounts = DensityRatio.Counts()
                variationWeights = try zip(try model.variationModels(path: path), variations.densityRatios).map { variation, ratio in
                    ratio.weights(
                        old: oldWeights, scores: try sourceJets.probabilities(models: try variation.makeModels()),
                        counts: &variationCounts)
                }
            }
        } else {
            reweighted = Array(heldOut.jets.fields[weightField!]![source])
        }
        var observables: [ObservableClosure] = []
        for observable in config.closure.observables {
            let values = heldOut.observables[observable]!
            let (sourceValues, targetValues) = (Array(values[source]), Array(values[target]))
            let edges = try ObservableClosure.quantileEdges(
                targetValues, bins: config.closure.bins, range: sourceValues.min()!...sourceValues.max()!)
            observables.append(try ObservableClosure(
                name: observable.rawValue, edges: edges, source: sourceValues, oldWeights: oldWeights, newWeights: reweighted,
                target: targetValues, targetWeights: targetWeights,
                variationWeights: variationWeights))
        }
        let twoSample = twoSample ? try twoSampleAUC(
            heldOut, config: config, features: features, before: oldWeights + targetWeights, after: reweighted + targetWeights)
            : nil
        let report = ClosureReport(
            observables: observables, weights: try WeightDiagnostics(old: oldWeights, new: reweighted), twoSample: twoSample,
            counters: ["jets": counts.jets, "clipped_low": counts.clippedLow, "clipped_high": counts.clippedHigh, "capped": counts.capped],
            variations: reweighting?.info.variations.map { WeightVariationsSummary(count: $0.count, kind: $0.kind.rawValue) })
        try report.write(to: directory)
        return report
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
        _ data: ReweightingData, config: ReweightingConfig, features: FeatureSpec, before: [Float], after: [Float]
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
