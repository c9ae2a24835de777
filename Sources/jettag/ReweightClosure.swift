import ArgumentParser
import Foundation
import JetTagKit

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
            and after; on about closure.twoSampleJets jets of each sample, 100,000 by default, chosen by hashed event \
            number; the histograms use every held-out jet); the weight distribution, fraction negative and \
            effective sample size before and after. Writes OUT/closure.json, OUT/closure_summary.csv and \
            OUT/closure_<observable>.csv. New weights come from --model, or from a jet field of the source files \
            (--new-weight-field, for weights made by another tool). For a model with weight variations (ensemble \
            members or reweighting.bootstrap replicas), each observable also gets the spread of the reweighted shape \
            over them (per bin, next to the statistical error) and chi2/ndf after with that spread added.
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
        let report = try ClosureRun(
            configFile: config, newWeights: model.map(ClosureRun.NewWeights.model) ?? .field(newWeightField!),
            sourceFiles: sourceFiles, truthFiles: truthFiles, directory: URL(fileURLWithPath: out),
            twoSample: !noTwoSample, threads: threads
        ).run { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        print(Self.summary(report))
        try htmlReport.write(for: out)
    }

    /// A table of chi2/ndf per observable (with variations, also after with their spread) and the AUCs.
    static func summary(_ report: ClosureReport) -> String {
        var lines = ["observable      chi2/ndf before   chi2/ndf after" + (report.variations == nil ? "" : "   with variation spread")]
        for observable in report.observables {
            lines.append(observable.name.padding(toLength: 15, withPad: " ", startingAt: 0) + String(
                format: " %8.2f (%3d)    %8.2f (%3d)", observable.chi2Before.chi2PerNdf, observable.chi2Before.ndf,
                observable.chi2After.chi2PerNdf, observable.chi2After.ndf)
                + (observable.chi2AfterWithVariations.map { String(format: "    %8.2f", $0.chi2PerNdf) } ?? ""))
        }
        if let variations = report.variations {
            lines.append("variation spread: \(variations.count) \(variations.kind) variations")
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
