import Foundation
import JetCore
import JetData
import JetMetrics
import JetModels
import JetNN

/// `jettag evaluate`: a model on labelled jets, with the ROC curve, AUC, working points, confusion matrix,
/// precision/recall/F1 and score histograms written to a directory.
///
/// Files: `metrics.json` (``EvaluationReport``, stable keys), `roc.csv` (downsampled curve) and
/// `score_histogram_<class>.csv`.
public struct EvaluationRun {
    /// The model file.
    public var model: String
    /// Labelled input HDF5 files.
    public var files: [String]
    /// The output directory.
    public var directory: URL
    /// The signal class and, for more than two classes, the background fractions of the discriminant
    /// (`class=fraction,...`; nil for equal fractions).
    public var signalClass: String?
    public var fractions: String?
    /// The cut on p(signal) of the two-class confusion matrix and precision/recall.
    public var threshold: Float
    /// The jet field with the class index; nil for the training config's.
    public var labelField: String?
    public var weights: EventWeights
    /// The jets evaluated, by the model's own split.
    public var part: DataPart
    /// A cut on jet fields (`JetSelection`, e.g. `pt >= 600`) applied with `part`; nil evaluates every jet.
    public var selection: String?
    public var batchSize: Int
    /// Threads for reading and BLAS (JetNN's `ComputeThreads`).
    public var threads: Int

    public init(
        model: String, files: [String], directory: URL, signalClass: String? = nil, fractions: String? = nil,
        threshold: Float = 0.5, labelField: String? = nil, weights: EventWeights = .asTrained, part: DataPart = .all,
        selection: String? = nil, batchSize: Int = 10_000, threads: Int = 1
    ) {
        (self.model, self.files, self.directory, self.signalClass, self.fractions, self.threshold) =
            (model, files, directory, signalClass, fractions, threshold)
        (self.labelField, self.weights, self.part, self.batchSize, self.threads) =
            (labelField, weights, part, batchSize, threads)
        self.selection = selection
    }

    /// Scores every jet, evaluates and writes the files; returns the report.
    public func run() throws -> EvaluationReport {
        ComputeThreads.set(threads)
        let file = try ModelFile.read(from: model)
        try file.require(.tagger, path: model, command: "jettag evaluate")
        let signal = try SignalScore(classNames: file.classNames, signalClass: signalClass, fractions: fractions)
        let stream = try LabelledJetStream(
            model: file, files: files, labelField: labelField, weights: weights, part: part,
            selection: try selection.map { try JetSelection($0) }, batchSize: batchSize, threads: threads)
        var probabilities: [Float] = []
        var labels: [Int] = []
        var weights: [Float] = []
        while let batch = try stream.next() {
            probabilities += batch.scores.probabilities
            labels += batch.labels.map { Int($0) }
            weights += batch.weights
        }
        let (report, roc) = try EvaluationReport.evaluating(
            probabilities: probabilities, labels: labels, weights: weights, classNames: file.classNames,
            signal: signal.signalClass, discriminant: signal.discriminant, threshold: threshold, model: model,
            tagger: file.tagger)
        try FileSystemError.wrapping(path: directory.path, action: "cannot create the output directory") {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        try MetricsJSON.write(report, to: directory.appendingPathComponent("metrics.json"))
        try roc.downsampled().csvTable.write(to: directory.appendingPathComponent("roc.csv"))
        for (name, histogram) in report.scoreHistograms {
            try histogram.csvTable.write(to: directory.appendingPathComponent("score_histogram_\(name).csv"))
        }
        return report
    }
}
