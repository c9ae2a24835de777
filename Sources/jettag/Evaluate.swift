import ArgumentParser
import Foundation
import JetTagKit

/// `jettag evaluate --model M FILES --out DIR`: ROC, AUC, rejections, confusion matrix, precision/recall/F1
/// and score histograms of a model on labelled jets.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a trained model on labelled jets.",
        discussion: """
            Writes DIR/metrics.json (stable keys), DIR/roc.csv, DIR/score_histogram_<class>.csv and the \
            reliability diagram of each class (DIR/reliability_<class>.csv, .svg; its expected calibration error in \
            metrics.json), and prints a summary. With --mc-dropout N the metrics use the mean of N passes with \
            dropout on and metrics.json's spread holds the mean standard deviation. The signal score is p(signal) for two classes and log(p_s / sum_k f_k p_k) for more \
            (equal background fractions unless --fractions is given). Working points at signal efficiency \
            0.3, 0.5, 0.7, 0.77 with binomial uncertainties from effective counts. \
            With --shard i/N only that part of the rows of all inputs is scored, into OUT/evaluation_part.h5 \
            (each jet's probabilities, label and weight); `jettag merge --out DIR PARTS...` evaluates the parts \
            together into the files of one unsharded run.
            """)

    @Option(help: "The model file.")
    var model: String

    @Argument(help: "Labelled input HDF5 files.")
    var files: [String]

    @Option(help: "Output directory.")
    var out: String

    @Option(name: .customLong("signal-class"), help: "Signal class name (default: the last class).")
    var signalClass: String?

    @Option(help: "Background fractions for the multi-class discriminant, e.g. --fractions c=0.2,light=0.8.")
    var fractions: String?

    @Option(help: "Cut on p(signal) for the two-class confusion matrix and precision/recall.")
    var threshold: Float = 0.5

    @Option(name: .customLong("label-field"), help: "Jet field with the class index (default: the training config's).")
    var labelField: String?

    @Option(name: .customLong("weight-field"), help: "Jet field with event weights (default: the training config's).")
    var weightField: String?

    @Flag(name: .customLong("no-weights"), help: "Give every jet weight 1.")
    var noWeights = false

    @Option(help: "Which jets of the inputs: all, or the training or validation part of the model's own data.split.")
    var split: DataPart = .all

    @Option(help: ArgumentHelp("Only the jets passing this cut on jet fields, e.g. 'pt >= 600'.", valueName: "expression"))
    var selection: String?

    @Option(
        help: ArgumentHelp(
            "Score only this part of the rows, i/N (i from 0), into OUT/evaluation_part.h5 for jettag merge.",
            valueName: "i/N"))
    var shard: Shard?

    @Option(name: .customLong("batch-size"), help: "Jets per batch.")
    var batchSize = 10_000

    @Option(help: "Threads for reading and BLAS.")
    var threads = 1

    @OptionGroup var monteCarloDropout: MonteCarloDropoutOptions

    @OptionGroup var htmlReport: ReportOptions

    func run() throws {
        let run = EvaluationRun(
            model: model, files: files, directory: URL(fileURLWithPath: out), signalClass: signalClass,
            fractions: fractions, threshold: threshold, labelField: labelField,
            weights: noWeights ? .unit : weightField.map(EventWeights.field) ?? .asTrained, part: split,
            selection: selection, batchSize: batchSize, threads: threads,
            monteCarloDropout: try monteCarloDropout.resolved())
        if let shard {
            print("wrote \(try run.runPart(shard)) (shard \(shard))")
            return
        }
        let report = try run.run()
        print(summary(report))
        try htmlReport.write(for: out)
    }

    /// The table printed on stdout.
    private func summary(_ report: EvaluationReport) -> String {
        var lines = [
            "\(report.tagger): \(report.jets) jets, signal \(report.signalClass) vs \(report.classNames.filter { $0 != report.signalClass }.joined(separator: ", "))",
            report.roc.aucError.map { String(format: "AUC %.4f +- %.4f", report.roc.auc, $0) } ?? String(format: "AUC %.4f", report.roc.auc),
            "eff_S   threshold   eff_B        1/eff_B",
        ]
        for point in report.roc.workingPoints {
            lines.append(
                String(
                    format: "%.2f    %9.4f   %.5f    %.1f +- %.1f", point.signalEfficiency, point.threshold,
                    point.backgroundEfficiency, point.backgroundRejection, point.backgroundRejectionError))
        }
        for diagram in report.calibration ?? [] {
            lines.append("\(diagram.className): expected calibration error " + String(format: "%.4f", diagram.expectedCalibrationError))
        }
        if let spread = report.spread {
            lines.append(
                "spread (\(spread.source)): mean std "
                    + report.classNames.map { "p(\($0)) " + String(format: "%.4f", spread.meanStd[$0] ?? .nan) }.joined(separator: ", "))
        }
        for score in report.precisionRecall {
            lines.append(
                "\(report.classNames[score.classIndex]): "
                    + String(format: "precision %.4f  recall %.4f  F1 %.4f", score.precision, score.recall, score.f1))
        }
        return lines.joined(separator: "\n")
    }
}
