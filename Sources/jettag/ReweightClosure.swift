import ArgumentParser
import Foundation
import JetData
import JetFeatures
import JetMetrics
import JetModels
import JetNN

/// `jettag reweight closure`: how well the reweighted source matches the target on held-out jets.
struct ReweightClosure: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "closure",
        abstract: "Measure reweighting closure on the held-out folds.",
        discussion: """
            On the config's held-out folds: weighted histograms of source, reweighted source and target for each \
            closure observable (edges at target quantiles), shape ratios, chi2/ndf before and after with sum-of-w^2 \
            errors; a two-sample test (fresh Deep Sets classifiers, closure.seeds of them, each trained on one half of the \
            held-out folds and scored on the other, and again with the halves swapped; the mean weighted AUC, before \
            and after); the weight distribution, fraction negative and \
            effective sample size before and after. Writes OUT/closure.json, OUT/closure_summary.csv and \
            OUT/closure_<observable>.csv. New weights come from --model, or from a jet field of the source files \
            (--new-weight-field, for weights made by another tool).
            """)

    @Option(help: "The reweighting config (default: the one stored with --model).")
    var config: String?

    @Option(help: "The reweighting model (RUN/model.h5).")
    var model: String?

    @Option(name: .customLong("new-weight-field"), help: "Jet field of the source files holding the new weights (instead of --model).")
    var newWeightField: String?

    @Option(name: .customLong("source"), parsing: .upToNextOption, help: "Source files replacing the config's.")
    var sourceFiles: [String] = []

    @Option(name: .customLong("truth"), parsing: .upToNextOption, help: "Files to compare with instead of the config's target (e.g. the positive-weight truth).")
    var truthFiles: [String] = []

    @Option(help: "The output directory.")
    var out: String

    @Option(help: "Threads for reading and BLAS.")
    var threads = 1

    @Flag(name: .customLong("no-two-sample"), help: "Skip the classifier two-sample test.")
    var noTwoSample = false

    @OptionGroup var htmlReport: ReportOptions

    func validate() throws {
        guard (model == nil) != (newWeightField == nil) else { throw ValidationError("give exactly one of --model and --new-weight-field") }
        guard model != nil || config != nil else { throw ValidationError("--new-weight-field needs --config") }
    }

    func run() throws {
        ComputeThreads.set(threads)
        let reweighting = try model.map { try ModelFile.readReweighting(from: $0) }
        let info = reweighting?.info
        var config = try config.map { try ReweightConfigFile.load(path: $0, overrides: []) } ?? info!.config
        if !sourceFiles.isEmpty { config.source.files = sourceFiles }
        if !truthFiles.isEmpty { config.target.files = truthFiles }
        let options = config.options
        let features = try info?.features ?? ReweightingData.fittedFeatures(
            config.classifier.features, samples: [config.source, config.target], split: options.split(options.trainingFolds),
            threads: threads)
        let heldOut = try ReweightingData.load(
            source: config.source, target: config.target, split: options.split(options.heldOutFolds),
            extractor: try FeatureExtractor(spec: features), observables: config.closure.observables,
            sourceFields: newWeightField.map { [$0] } ?? [], threads: threads)
        let (source, target) = (heldOut.sourceRange, heldOut.targetRange)
        let oldWeights = Array(heldOut.jets.weights[source])
        let targetWeights = Array(heldOut.jets.weights[target])
        var counts = DensityRatio.Counts()
        let newWeights: [Float]
        if let reweighting, let info {
            let models = try reweighting.model.makeModels()
            let f = try heldOut.jets.subset(Array(source), weights: oldWeights).probabilities(models: models)
            newWeights = info.densityRatio.weights(old: oldWeights, scores: f, counts: &counts)
        } else {
            newWeights = Array(heldOut.jets.fields[newWeightField!]![source])
        }
        var observables: [ObservableClosure] = []
        for observable in config.closure.observables {
            let values = heldOut.observables[observable]!
            let (sourceValues, targetValues) = (Array(values[source]), Array(values[target]))
            let edges = try ObservableClosure.quantileEdges(
                targetValues, bins: config.closure.bins, range: sourceValues.min()!...sourceValues.max()!)
            observables.append(try ObservableClosure(
                name: observable.rawValue, edges: edges, source: sourceValues, oldWeights: oldWeights, newWeights: newWeights,
                target: targetValues, targetWeights: targetWeights))
        }
        let twoSample = noTwoSample ? nil : try twoSampleAUC(
            heldOut, config: config, features: features, before: oldWeights + targetWeights, after: newWeights + targetWeights)
        let report = ClosureReport(
            observables: observables, weights: try WeightDiagnostics(old: oldWeights, new: newWeights), twoSample: twoSample,
            counters: ["jets": counts.jets, "clipped_low": counts.clippedLow, "clipped_high": counts.clippedHigh, "capped": counts.capped])
        try report.write(to: URL(fileURLWithPath: out))
        print(Self.summary(report))
        try htmlReport.write(for: out)
    }

    /// AUCs of fresh classifiers with the source weighted by `before` and by `after` ([B], the target's weights
    /// appended): per seed, one trained on the first half of the held-out folds and scored on the second, and one
    /// the other way round (two AUCs per seed on independent test jets: half the variance of one).
    private func twoSampleAUC(
        _ data: ReweightingData, config: ReweightingConfig, features: FeatureSpec, before: [Float], after: [Float]
    ) throws -> TwoSampleAUC {
        let folds = config.options.heldOutFolds
        let firstHalf = Set(folds.prefix(folds.count / 2))
        let inFirstHalf = data.jets.eventNumbers.map {
            firstHalf.contains(JetSplit.fold(of: $0, modulus: config.options.modulus))
        }
        let halves = [inFirstHalf.indices.filter { inFirstHalf[$0] }, inFirstHalf.indices.filter { !inFirstHalf[$0] }]
        var aucs: [[Double]] = [[], []]
        for seed in 0..<config.closure.seeds {
            let twoSample = TwoSampleTest(
                config: config.classifier, features: features, epochs: config.closure.epochs,
                seed: config.classifier.training.seed + UInt64(seed))
            for (index, weights) in [before, after].enumerated() {
                for (trained, (training, test)) in [(halves[0], halves[1]), (halves[1], halves[0])].enumerated() {
                    let scores = try twoSample.scores(
                        training: data.jets.subset(training, weights: training.map { weights[$0] }),
                        test: data.jets.subset(test, weights: test.map { weights[$0] }),
                        directory: URL(fileURLWithPath: out).appendingPathComponent(
                            "two_sample_\(index == 0 ? "before" : "after")_\(seed)_\(trained)"))
                    aucs[index].append(try ROCCurve(
                        scores: scores, isSignal: test.map { data.jets.labels[$0] == 1 }, weights: test.map { weights[$0] }).auc)
                }
            }
        }
        return TwoSampleAUC(aucBeforeRuns: aucs[0], aucAfterRuns: aucs[1], trainingJets: halves[0].count, testJets: halves[1].count)
    }

    /// A table of chi2/ndf per observable and the AUCs.
    static func summary(_ report: ClosureReport) -> String {
        var lines = ["observable      chi2/ndf before   chi2/ndf after"]
        for observable in report.observables {
            lines.append(observable.name.padding(toLength: 15, withPad: " ", startingAt: 0) + String(
                format: " %8.2f (%3d)    %8.2f (%3d)", observable.chi2Before.chi2PerNdf, observable.chi2Before.ndf,
                observable.chi2After.chi2PerNdf, observable.chi2After.ndf))
        }
        if let twoSample = report.twoSample {
            func runs(_ values: [Double]) -> String { values.map { String(format: "%.4f", $0) }.joined(separator: ", ") }
            lines.append(String(format: "two-sample AUC  %8.4f          %8.4f", twoSample.aucBefore, twoSample.aucAfter))
            lines.append("  per seed: before \(runs(twoSample.aucBeforeRuns)); after \(runs(twoSample.aucAfterRuns))")
        }
        let weights = report.weights
        lines.append(String(
            format: "ESS %.0f -> %.0f of %d jets; negative %.3f -> %.3f", weights.before.effectiveSampleSize,
            weights.after.effectiveSampleSize, weights.before.count, weights.fractionNegativeBefore, weights.fractionNegativeAfter))
        return lines.joined(separator: "\n")
    }
}
