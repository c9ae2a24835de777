import Foundation
import JetData
import JetMetrics
import JetModels
import JetNN

/// `jettag calibrate`: temperature scaling (``TemperatureCalibration``) fitted on the validation split of the
/// model's own run config (`data.split`, with its `data.selection`) and stored in the model file, which
/// `predict`, `evaluate`, `saliency`'s scores and `export --onnx` then apply. The logits are the uncalibrated ones
/// (a calibrated model is fitted afresh); the file is written under a temporary name and renamed.
public struct CalibrationRun {
    /// The model file.
    public var model: String
    /// The labelled files read; empty for the training config's `data.files`.
    public var files: [String]
    /// Where the calibrated model goes; nil replaces `model`.
    public var output: String?
    public var weights: EventWeights
    public var batchSize: Int
    /// Threads for reading and BLAS (JetNN's `ComputeThreads`).
    public var threads: Int

    public init(
        model: String, files: [String] = [], output: String? = nil, weights: EventWeights = .asTrained,
        batchSize: Int = 10_000, threads: Int = 1
    ) {
        (self.model, self.files, self.output, self.weights, self.batchSize, self.threads) =
            (model, files, output, weights, batchSize, threads)
    }

    /// Fits T, writes the calibrated model and returns the calibration.
    ///
    /// - Throws: ``JetTagKitError/checkpointModel(file:command:)`` for a checkpoint (`last.h5`),
    ///   ``JetTagKitError/noJets(files:part:)`` when the validation split is empty; JetMetrics' errors for a
    ///   validation sum of weights that is not positive.
    @discardableResult
    public func run() throws -> TemperatureCalibration {
        ComputeThreads.set(threads)
        var file = try ModelFile.read(from: model)
        try file.require(.tagger, path: model, command: "jettag calibrate")
        guard file.trainingState == nil else {
            throw JetTagKitError.checkpointModel(file: model, command: "jettag calibrate")
        }
        let config = file.trainingConfig
        let inputs = files.isEmpty ? config.data.files : files
        let stream = try LabelledJetStream(
            model: file, files: inputs, weights: weights, part: .validation,
            selection: try config.data.selection.map { try JetSelection($0) }, batchSize: batchSize, threads: threads,
            modelPath: model)
        var logits: [[Float]] = []
        var labels: [Int] = []
        var jetWeights: [Float] = []
        while let batch = try stream.next() {
            let samples = try stream.scorer.logitSamples(
                batch.jets, features: batch.features, globalRows: batch.indices, files: inputs)
            if logits.isEmpty { logits = samples.map { _ in [] } }
            for s in samples.indices { logits[s] += samples[s] }
            labels += batch.labels.map { Int($0) }
            jetWeights += batch.weights
        }
        guard !labels.isEmpty else { throw JetTagKitError.noJets(files: inputs, part: .validation) }
        let fit = try TemperatureScaling.fit(
            logits: logits, logitCount: file.architecture.logitCount, labels: labels, weights: jetWeights)
        let calibration = TemperatureCalibration(
            temperature: fit.temperature, nllBefore: fit.nllBefore, nllAfter: fit.nllAfter, jets: labels.count,
            split: DataPart.validation.rawValue)
        file.calibration = calibration
        try file.write(to: output ?? model)
        return calibration
    }
}
