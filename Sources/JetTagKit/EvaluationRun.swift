import Foundation
import JetCore
import JetData
import JetMetrics
import JetModels
import JetNN

/// `jettag evaluate`: a model on labelled jets, with the ROC curve, AUC, working points, confusion matrix,
/// precision/recall/F1, score histograms and calibration written to a directory.
///
/// Files: `metrics.json` (``EvaluationReport``, stable keys), `roc.csv` (downsampled curve),
/// `score_histogram_<class>.csv`, and per class the reliability diagram `reliability_<class>.csv` and
/// `reliability_<class>.svg`; or, for one shard of the rows (``runPart(_:)``), `evaluation_part.h5`, which
/// ``OutputMerge`` evaluates with the other shards' into those files.
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
    /// Score with Monte-Carlo dropout (the metrics use the mean probabilities, `metrics.json` the spread); nil for
    /// none.
    public var monteCarloDropout: MonteCarloDropout?

    public init(
        model: String, files: [String], directory: URL, signalClass: String? = nil, fractions: String? = nil,
        threshold: Float = 0.5, labelField: String? = nil, weights: EventWeights = .asTrained, part: DataPart = .all,
        selection: String? = nil, batchSize: Int = 10_000, threads: Int = 1, monteCarloDropout: MonteCarloDropout? = nil
    ) {
        (self.model, self.files, self.directory, self.signalClass, self.fractions, self.threshold) =
            (model, files, directory, signalClass, fractions, threshold)
        (self.labelField, self.weights, self.part, self.batchSize, self.threads) =
            (labelField, weights, part, batchSize, threads)
        self.selection = selection
        self.monteCarloDropout = monteCarloDropout
    }

    /// Scores every jet, evaluates and writes the files; returns the report.
    public func run() throws -> EvaluationReport {
        let (file, signal, stream) = try open(shard: nil)
        var inputs = Inputs(probabilities: [], labels: [], weights: [], spread: stream.scorer.hasSpread ? [] : nil)
        while let batch = try stream.next() {
            inputs.probabilities += batch.scores.probabilities
            inputs.spread? += batch.scores.spread ?? []
            inputs.labels += batch.labels.map { Int($0) }
            inputs.weights += batch.weights
        }
        return try Self.evaluate(
            inputs,
            settings: Settings(
                model: model, tagger: file.tagger, signal: signal, threshold: threshold,
                spreadSource: stream.scorer.spreadSource),
            directory: directory)
    }

    /// Scores the jets of one shard of the rows of all inputs and writes what their evaluation needs to `path`, for
    /// ``OutputMerge`` to join with the other shards into the `metrics.json`, `roc.csv` and histograms of one
    /// unsharded run, bit for bit (a ROC curve and the histogram ranges need every jet's score, so the part holds
    /// each jet's probabilities, label and weight rather than sums). The file is a ``JetOutputWriter`` file with
    /// the ``ScoreSchema`` probabilities plus `label` and `weight`, and attributes `kind` (`evaluation`), the
    /// model's, the signal class, fractions and threshold, and the rows held (``OutputRows``), written to
    /// ``directory``/``partFile``; returns its path.
    @discardableResult
    public func runPart(_ shard: Shard) throws -> String {
        let (file, signal, stream) = try open(shard: shard)
        try FileSystemError.wrapping(path: directory.path, action: "cannot create the output directory") {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        let path = directory.appendingPathComponent(Self.partFile).path
        let schema = ScoreSchema(scorer: stream.scorer)
        let settings = Settings(
            model: model, tagger: file.tagger, signal: signal, threshold: threshold, spreadSource: schema.spreadSource)
        let writer = try JetOutputWriter(
            path: path, fields: schema.fields + [Self.labelField, Self.weightField],
            attributes: schema.attributes(model: model, inputs: files, rows: stream.rows)
                .merging(settings.attributes(fractions: fractions)) { _, setting in setting })
        while let batch = try stream.next() {
            var values = schema.values(batch.scores)
            values[Self.labelField] = batch.labels.map { Float($0) }
            values[Self.weightField] = batch.weights
            try writer.append(jetIndices: batch.indices, eventNumbers: batch.jets.eventNumbers, values: values)
        }
        try writer.finish()
        return path
    }

    /// The name of the part file `jettag evaluate --shard` writes in its output directory.
    public static let partFile = "evaluation_part.h5"

    private func open(shard: Shard?) throws -> (ModelFile, SignalScore, LabelledJetStream) {
        ComputeThreads.set(threads)
        let file = try ModelFile.read(from: model)
        try file.require(.tagger, path: model, command: "jettag evaluate")
        let signal = try SignalScore(classNames: file.classNames, signalClass: signalClass, fractions: fractions)
        let stream = try LabelledJetStream(
            model: file, files: files, labelField: labelField, weights: weights, part: part,
            selection: try selection.map { try JetSelection($0) }, shard: shard, batchSize: batchSize, threads: threads,
            monteCarloDropout: monteCarloDropout, modelPath: model)
        return (file, signal, stream)
    }

    /// The value of the `kind` attribute of an evaluation part; its label and weight fields.
    static let kind = "evaluation", labelField = "label", weightField = "weight"

    /// What the evaluation of scored jets takes: every jet's class probabilities ([jets x classes], row-major),
    /// label and weight, in input order, and for a seed ensemble or Monte-Carlo dropout the probabilities'
    /// standard deviations (like the probabilities).
    struct Inputs {
        var probabilities: [Float]
        var labels: [Int]
        var weights: [Float]
        var spread: [Float]?
    }

    /// The settings of an evaluation beside its jets.
    struct Settings {
        var model: String
        var tagger: String
        var signal: SignalScore
        var threshold: Float
        /// What the spread is over (``JetModels/JetScorer/spreadSource``); nil without one.
        var spreadSource: String?

        /// The attributes of a part: `kind`, `signal_class`, `fractions` (as given, or empty) and `threshold`.
        func attributes(fractions: String?) -> [String: String] {
            [
                "kind": EvaluationRun.kind, "signal_class": signal.classNames[signal.signalClass],
                "fractions": fractions ?? "", "threshold": "\(threshold)",
            ]
        }

        /// The settings of a part written by ``EvaluationRun/runPart(_:to:)``, from its attributes (`spread`, the
    /// ``ScoreSchema``'s, is optional).
        init(attributes: [String: String], file: String) throws {
            guard let tagger = attributes["tagger"], let classNames = attributes["class_names"],
                let model = attributes["model"], let signalClass = attributes["signal_class"],
                let fractions = attributes["fractions"], let threshold = attributes["threshold"].flatMap(Float.init)
            else {
                throw JetTagKitError.invalidOutputPart(
                    file: file, reason: "an evaluation part needs the attributes tagger, class_names, model, "
                        + "signal_class, fractions and threshold")
            }
            let names = classNames.split(separator: ",").map(String.init)
            self.init(
                model: model, tagger: tagger,
                signal: try SignalScore(
                    classNames: names, signalClass: signalClass, fractions: fractions.isEmpty ? nil : fractions),
                threshold: threshold, spreadSource: attributes["spread"])
        }

        init(model: String, tagger: String, signal: SignalScore, threshold: Float, spreadSource: String? = nil) {
            (self.model, self.tagger, self.signal, self.threshold) = (model, tagger, signal, threshold)
            self.spreadSource = spreadSource
        }
    }

    /// Evaluates `inputs` and writes `metrics.json`, `roc.csv`, `score_histogram_<class>.csv` and
    /// `reliability_<class>.csv` / `.svg` to `directory`.
    static func evaluate(_ inputs: Inputs, settings: Settings, directory: URL) throws -> EvaluationReport {
        let (report, roc) = try EvaluationReport.evaluating(
            probabilities: inputs.probabilities, labels: inputs.labels, weights: inputs.weights,
            classNames: settings.signal.classNames, signal: settings.signal.signalClass,
            discriminant: settings.signal.discriminant, threshold: settings.threshold,
            spread: inputs.spread.flatMap { values in settings.spreadSource.map { (values: values, source: $0) } },
            model: settings.model,
            tagger: settings.tagger)
        try FileSystemError.wrapping(path: directory.path, action: "cannot create the output directory") {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        try MetricsJSON.write(report, to: directory.appendingPathComponent("metrics.json"))
        try roc.downsampled().csvTable.write(to: directory.appendingPathComponent("roc.csv"))
        for (name, histogram) in report.scoreHistograms {
            try histogram.csvTable.write(to: directory.appendingPathComponent("score_histogram_\(name).csv"))
        }
        for diagram in report.calibration ?? [] {
            try diagram.csvTable.write(to: directory.appendingPathComponent("reliability_\(diagram.className).csv"))
            try Plot.reliability([(settings.tagger, diagram)], className: diagram.className)
                .write(to: directory.appendingPathComponent("reliability_\(diagram.className).svg"))
        }
        return report
    }
}
