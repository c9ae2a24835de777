import ArgumentParser
import Foundation
import JetData
import JetMetrics
import JetModels
import JetNN

/// `jettag evaluate --model M FILES --out DIR`: ROC, AUC, rejections, confusion matrix, precision/recall/F1
/// and score histograms of a model on labelled jets.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a trained model on labelled jets.",
        discussion: """
            Writes DIR/metrics.json (stable keys), DIR/roc.csv and DIR/score_histogram_<class>.csv, and prints \
            a summary. The signal score is p(signal) for two classes and log(p_s / sum_k f_k p_k) for more \
            (equal background fractions unless --fractions is given). Working points at signal efficiency \
            0.3, 0.5, 0.7, 0.77 with binomial uncertainties from effective counts.
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

    enum Part: String, ExpressibleByArgument, CaseIterable {
        case all, training, validation
    }

    @Option(help: "Which jets of the inputs: all, or the training or validation part of the model's own data.split.")
    var split: Part = .all

    @Option(name: .customLong("batch-size"), help: "Jets per batch.")
    var batchSize = 10_000

    @Option(help: "Threads for reading and BLAS.")
    var threads = 1

    @OptionGroup var htmlReport: ReportOptions

    func run() throws {
        ComputeThreads.set(threads)
        let file = try ModelFile.read(from: model)
        let scorer = try JetScorer(file: file)
        let classNames = file.classNames
        let trainingConfig = file.trainingConfig
        let labelField = labelField ?? trainingConfig.data.labelField
        let weightField =
            noWeights ? nil : weightField ?? (trainingConfig.weights.eventWeights ? trainingConfig.data.weightField : nil)
        let signal = try signalIndex(classNames)

        var options = scorer.readOptions(batchSize: batchSize, threads: threads)
        for field in [labelField] + (weightField.map { [$0] } ?? []) where !options.jetFields.contains(field) {
            options.jetFields.append(field)
        }
        if split != .all {
            let splits = trainingConfig.data.split.splits
            options.split = split == .training ? splits.training : splits.validation
        }
        let stream = try JetStream(files: files, options: options)
        var probabilities: [Float] = []
        var labels: [Int] = []
        var weights: [Float] = []
        while let batch = try stream.next() {
            probabilities += try scorer.score(batch).probabilities
            labels += try batch.classLabels(field: labelField, classNames: classNames, files: stream.files).map {
                Int($0)
            }
            weights += weightField.map { batch.jetFields[$0]! } ?? [Float](repeating: 1, count: batch.count)
        }
        let discriminant = classNames.count > 2 ? try makeDiscriminant(classNames, signal: signal) : nil
        let (report, roc) = try EvaluationReport.evaluating(
            probabilities: probabilities, labels: labels, weights: weights, classNames: classNames, signal: signal,
            discriminant: discriminant, threshold: threshold, model: model, tagger: file.tagger)
        let directory = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try MetricsJSON.write(report, to: directory.appendingPathComponent("metrics.json"))
        try roc.downsampled().csvTable.write(to: directory.appendingPathComponent("roc.csv"))
        for (name, histogram) in report.scoreHistograms {
            try histogram.csvTable.write(to: directory.appendingPathComponent("score_histogram_\(name).csv"))
        }
        print(summary(report))
        try htmlReport.write(for: out)
    }

    private func signalIndex(_ classNames: [String]) throws -> Int {
        guard let signalClass else { return classNames.count - 1 }
        guard let index = classNames.firstIndex(of: signalClass) else {
            throw ValidationError(
                "--signal-class \(signalClass): the model's classes are \(classNames.joined(separator: ", "))")
        }
        return index
    }

    private func makeDiscriminant(_ classNames: [String], signal: Int) throws -> TaggingDiscriminant {
        let others = classNames.indices.filter { $0 != signal }
        guard let fractions else {
            return try TaggingDiscriminant(
                signalClass: signal, backgroundFractions: others.map { ($0, 1 / Double(others.count)) })
        }
        let pairs = try fractions.split(separator: ",").map { item in
            let parts = item.split(separator: "=")
            guard parts.count == 2, let index = classNames.firstIndex(of: String(parts[0])),
                let value = Double(parts[1])
            else {
                throw ValidationError(
                    "--fractions: '\(item)' is not class=fraction with a class of \(classNames.joined(separator: ", "))"
                )
            }
            return (classIndex: index, fraction: value)
        }
        return try TaggingDiscriminant(signalClass: signal, backgroundFractions: pairs)
    }

    /// The table printed on stdout.
    private func summary(_ report: EvaluationReport) -> String {
        var lines = [
            "\(report.tagger): \(report.jets) jets, signal \(report.signalClass) vs \(report.classNames.filter { $0 != report.signalClass }.joined(separator: ", "))",
            String(format: "AUC %.4f", report.roc.auc),
            "eff_S   threshold   eff_B        1/eff_B",
        ]
        for point in report.roc.workingPoints {
            lines.append(
                String(
                    format: "%.2f    %9.4f   %.5f    %.1f +- %.1f", point.signalEfficiency, point.threshold,
                    point.backgroundEfficiency, point.backgroundRejection, point.backgroundRejectionError))
        }
        for score in report.precisionRecall {
            lines.append(
                "\(report.classNames[score.classIndex]): "
                    + String(format: "precision %.4f  recall %.4f  F1 %.4f", score.precision, score.recall, score.f1))
        }
        return lines.joined(separator: "\n")
    }
}
