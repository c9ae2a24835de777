/// Errors of JetModels: a bad model configuration, a batch that does not fit the model, and a training run's
/// config file, data, checkpoints and model files. Config errors name the key (a dotted path such as
/// `training.epochs`), the file, and what was expected.
public enum JetModelsError: Error, CustomStringConvertible, Equatable {
    /// A batch whose per-constituent or jet-level feature count differs from the model's.
    case featureCount(model: String, input: String, expected: Int, got: Int)
    /// A batch whose jet-level features have a different number of rows than the batch has jets.
    case jetCount(model: String, expected: Int, got: Int)
    /// A key the config schema does not have (usually a typo); `known` are the keys of that mapping.
    case unknownKey(path: String, file: String, known: [String])
    /// A value of the wrong type or out of range; `file` is nil for a config built in Swift.
    case invalidValue(path: String, file: String?, expected: String)
    /// A required key is absent.
    case missingKey(path: String, file: String)
    /// The data does not fit the config (labels, classes, empty splits).
    case invalidData(String)
    /// A model or checkpoint file that is not what JetTag wrote, or that this version cannot read.
    case invalidModelFile(file: String, reason: String)
    /// A run directory that cannot be resumed.
    case cannotResume(directory: String, reason: String)
    /// Training was stopped by a signal after writing a checkpoint.
    case interrupted(checkpoint: String)
    /// Reading the streamed training data failed mid-run (`reason` names the file, dataset and rows); the
    /// checkpoint of the last finished step was written.
    case streamFailed(reason: String, checkpoint: String)
    /// The batch (or validation) loss became non-finite or exploded at 1-based `epoch` and `step` (nil for the
    /// validation loss); `limit` is the divergence threshold it passed (nil for a non-finite loss), `kept` the
    /// run files left as they were after the last finished epoch.
    case diverged(epoch: Int, step: Int?, loss: Double, limit: Double?, learningRate: Float, kept: [String])
    /// A model file of another kind than `command` takes; `use` names the commands that take it.
    case wrongModelKind(file: String, kind: String, command: String, use: String)
    /// A model file would hold (or holds) a non-finite value in `tensor`.
    case nonFiniteParameter(file: String, tensor: String, index: Int, value: Float)
    /// A file whose `label_names` attribute names other classes (or the same in another order) than the config or
    /// model, with no `data.labelMap`.
    case classNamesMismatch(file: String, fileNames: [String], classNames: [String])
    /// A run directory another process is training into (it holds the directory's `.lock`).
    case runDirectoryBusy(directory: String)
    /// `training.initFrom` names a model file that cannot start a run: `reason` says what it is (a checkpoint, a
    /// combination of several models, a reweighter).
    case unusableParent(parent: String, reason: String)
    /// The parent model of `training.initFrom` and the run config differ in `what` (the constituent or jet
    /// variables, the classes, the model kind, a parameter or its shape); `hint` says how to proceed.
    case parentMismatch(parent: String, what: String, parentValue: String, configValue: String, hint: String)
    /// A glob pattern of `key` (`training.initExclude` or `training.freeze`) that names no parameter of the model.
    case unmatchedPattern(key: String, pattern: String, parameters: [String])
    /// Monte-Carlo dropout asked of a model file whose architecture (`kind`) has no dropout (rate 0).
    case noDropout(file: String, kind: String)
    /// A Monte-Carlo dropout pass count below 1.
    case invalidPassCount(Int)

    public var description: String {
        switch self {
        case let .featureCount(model, input, expected, got):
            "\(model): the batch has \(got) \(input) features per row, the model was built for \(expected)"
        case let .jetCount(model, expected, got):
            "\(model): the jet-level features have \(got) rows, the batch has \(expected) jets"
        case .unknownKey(let path, let file, let known):
            "\(file): unknown key '\(path)'"
                + (known.isEmpty ? "" : "; known keys here: \(known.joined(separator: ", "))")
        case .invalidValue(let path, let file, let expected):
            "\(file.map { "\($0): " } ?? "")key '\(path)': \(expected)"
        case .missingKey(let path, let file):
            "\(file): required key '\(path)' is missing"
        case .invalidData(let message):
            message
        case .invalidModelFile(let file, let reason):
            "\(file): not a usable JetTag model file: \(reason)"
        case .cannotResume(let directory, let reason):
            "cannot resume \(directory): \(reason)"
        case .interrupted(let checkpoint):
            "training interrupted; checkpoint written to \(checkpoint) (continue with --resume)"
        case let .streamFailed(reason, checkpoint):
            "reading the training data failed: \(reason); checkpoint of the last finished step written to "
                + "\(checkpoint) (continue with --resume once the file is whole again)"
        case let .diverged(epoch, step, loss, limit, learningRate, kept):
            "training diverged in epoch \(epoch)\(step.map { ", step \($0)" } ?? " (validation)"): the "
                + (step == nil ? "validation" : "batch") + " loss is \(loss)"
                + (limit.map { ", more than training.divergenceFactor x the first epoch's mean training loss (\($0))" } ?? "")
                + "; the learning rate is likely too high (training.learningRate = \(learningRate)), or the inputs hold "
                + "huge or non-finite values (check the features' standardisation and clipping). "
                + (kept.isEmpty ? "No epoch had finished, so no model file was written."
                    : "Kept from the last finished epoch: \(kept.joined(separator: ", ")).")
        case let .wrongModelKind(file, kind, command, use):
            "\(file) is a \(kind) model, which \(command) does not take; use \(use) with it"
        case let .nonFiniteParameter(file, tensor, index, value):
            "\(file): tensor '\(tensor)' holds \(value) at index \(index); a model with non-finite parameters gives "
                + "no usable scores (a diverged training: lower training.learningRate and train again)"
        case .runDirectoryBusy(let directory):
            "\(directory) is in use by another jettag run (which holds \(directory)/.lock); wait for it to finish, "
                + "or give another output directory"
        case let .unusableParent(parent, reason):
            "training.initFrom: \(parent) cannot start a run: \(reason)"
        case let .parentMismatch(parent, what, parentValue, configValue, hint):
            "training.initFrom: \(parent) differs from the config in \(what): \(parentValue) in the parent model, "
                + "\(configValue) in the config; \(hint)"
        case let .noDropout(file, kind):
            "\(file): the model has no dropout (model.\(kind).dropout is 0), so Monte-Carlo dropout would repeat one "
                + "deterministic pass; train with model.\(kind).dropout > 0, or use a seed ensemble (training.ensemble) "
                + "for a spread"
        case .invalidPassCount(let passes):
            "--mc-dropout: the number of stochastic passes must be at least 1, got \(passes)"
        case let .unmatchedPattern(key, pattern, parameters):
            "\(key): the pattern '\(pattern)' matches no parameter of the model (its parameters: "
                + "\(parameters.joined(separator: ", ")))"
        case let .classNamesMismatch(file, fileNames, classNames):
            "\(file): its label_names \"\(fileNames.joined(separator: ","))\" contradict the class names "
                + "[\(classNames.joined(separator: ", "))] ("
                + (0..<max(fileNames.count, classNames.count)).compactMap { label in
                    let inFile = label < fileNames.count ? fileNames[label] : "nothing"
                    let inConfig = label < classNames.count ? classNames[label] : "nothing"
                    return inFile == inConfig ? nil : "label \(label) is \(inFile) in the file, \(inConfig) in the config"
                }.joined(separator: "; ")
                + "); write data.classNames in the file's order, or give data.labelMap to remap on purpose "
                + "(file label name or value: class index, e.g. labelMap: {"
                + fileNames.prefix(2).enumerated().map { "\($0.element): \(fileNames.count > 1 ? 1 - $0.offset : 0)" }
                    .joined(separator: ", ") + "})"
        }
    }
}
