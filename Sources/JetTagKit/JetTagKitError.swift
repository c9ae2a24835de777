/// Errors of the workflows: a config file or `--set` override that cannot be read, a request naming a class,
/// fraction or baseline the model does not have, and inputs (run directories, model files, jets) that are not
/// there. Each names the file, option or value and what was expected; errors of the stage modules (a bad key in
/// a config, a bad HDF5 file) pass through unchanged.
public enum JetTagKitError: Error, CustomStringConvertible, Equatable {
    /// A config file that does not exist or is not UTF-8 text.
    case unreadableConfigFile(path: String)
    /// Text that is not YAML; `origin` is the file or the `--set key.path=value` it came from.
    case invalidYAML(origin: String, reason: String)
    /// A mapping key that is not a string (e.g. a list used as a key).
    case nonStringKey(origin: String)
    /// A key written twice in one mapping.
    case duplicateKey(origin: String, key: String)
    /// A `--set` override that cannot be applied: `text` is the override or its key path.
    case invalidOverride(text: String, reason: String)
    /// A signal class the model does not have.
    case unknownSignalClass(name: String, classNames: [String])
    /// An item of `--fractions` that is not `class=fraction` with a class of the model.
    case invalidFraction(item: String, classNames: [String])
    /// An integrated-gradients baseline that is not one number per input feature.
    case invalidBaseline(text: String, featureCount: Int)
    /// A run directory that does not exist.
    case missingRunDirectory(path: String)
    /// A model file that does not exist.
    case missingModelFile(path: String)
    /// A training checkpoint (`last.h5`, with resume state) given to `command`, which takes a finished model.
    case checkpointModel(file: String, command: String)
    /// No jets in the files (in that part of the model's split).
    case noJets(files: [String], part: DataPart)
    /// A Slurm array variable that is not an integer, is missing, or gives a task outside the array; `value`
    /// nil for a missing variable.
    case invalidSlurmArray(variable: String, value: String?, reason: String)
    /// A run stopped by SIGINT or SIGTERM between two batches; the temporary file of `output` was removed and
    /// nothing was written under its name.
    case interrupted(output: String)
    /// A closure with new weights from a jet field but no reweighting config to say what source and target are.
    case closureNeedsConfig(weightField: String)
    /// A score file compared with others that does not hold the same jets: `reason` names the first differing
    /// row (or the row counts) in `file` and in `other`.
    case mismatchedScores(file: String, other: String, reason: String)
    /// A score file that is not a `jettag predict` output (no `class_names` attribute, missing fields).
    case invalidScoreFile(file: String, reason: String)
    /// A run directory with no (or no single) `jettag predict` output to compare.
    case noScoresInRun(run: String, reason: String)
    /// A `--reference` that names none of the compared taggers.
    case unknownReference(name: String, taggers: [String])
    /// A `--name`, `--bins` or working point option that cannot be used: `option` and its `value`.
    case invalidCompareOption(option: String, value: String, reason: String)
    /// An input of `jettag merge` that is not a part it can merge, or does not match the first part.
    case invalidOutputPart(file: String, reason: String)
    /// Parts of `jettag merge` that leave rows of the inputs out or hold some twice.
    case outputPartsDoNotCover(reason: String)
    /// `jettag train --resume-if-exists` into a run directory whose config.json is another config's.
    case resumedConfigDiffers(directory: String, config: String)
    /// A scan space file that cannot be used: `key` is the key path of the bad distribution (nil for the file).
    case invalidScanSpace(file: String, key: String?, reason: String)
    /// A `jettag scan` option that cannot be used: `option` and its `value`.
    case invalidScanOption(option: String, value: String, reason: String)
    /// A trial index (`--trial`, or the Slurm array task) outside the scan's `count` trials.
    case trialOutOfRange(trial: Int, count: Int, source: String)
    /// A scan directory whose `scan.json` (or a trial of it) does not fit the request.
    case scanDirectory(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidSlurmArray(variable, value, reason):
            "\(variable)\(value.map { " = '\($0)'" } ?? "") \(reason)"
        case .unreadableConfigFile(let path):
            "cannot read the config file \(path)"
        case .invalidYAML(let origin, let reason):
            "\(origin): not valid YAML: \(reason)"
        case .nonStringKey(let origin):
            "\(origin): mapping keys must be strings"
        case .duplicateKey(let origin, let key):
            "\(origin): key '\(key)' appears twice"
        case .invalidOverride(let text, let reason):
            "--set: '\(text)' \(reason)"
        case .unknownSignalClass(let name, let classNames):
            "--signal-class \(name): the model's classes are \(classNames.joined(separator: ", "))"
        case .invalidFraction(let item, let classNames):
            "--fractions: '\(item)' is not class=fraction with a class of \(classNames.joined(separator: ", "))"
        case .invalidBaseline(let text, let featureCount):
            "--ig-baseline '\(text)': expected \(featureCount) comma-separated numbers, one per input feature"
        case .missingRunDirectory(let path):
            "run directory \(path) does not exist"
        case .missingModelFile(let path):
            "model file \(path) does not exist"
        case let .checkpointModel(file, command):
            "\(file) is a training checkpoint (the latest epoch of a run, with its resume state); \(command) takes a "
                + "finished model: model.h5 in the same run directory"
        case .noJets(let files, let part):
            "no jets read from \(files.joined(separator: ", "))\(part == .all ? "" : " in the \(part.rawValue) split")"
        case .interrupted(let output):
            "interrupted; the unfinished \(output) was removed"
        case let .mismatchedScores(file, other, reason):
            "\(file) and \(other) do not hold the same jets: \(reason)"
        case let .invalidScoreFile(file, reason):
            "\(file) is not a jettag predict output: \(reason)"
        case let .noScoresInRun(run, reason):
            "run \(run): \(reason)"
        case let .unknownReference(name, taggers):
            "--reference \(name): the compared taggers are \(taggers.joined(separator: ", "))"
        case let .invalidCompareOption(option, value, reason):
            "\(option) '\(value)': \(reason)"
        case let .invalidScanSpace(file, key, reason):
            "\(file)\(key.map { ": \($0)" } ?? ""): \(reason)"
        case let .invalidScanOption(option, value, reason):
            "\(option) '\(value)': \(reason)"
        case let .trialOutOfRange(trial, count, source):
            "\(source) \(trial): the scan has \(count) trial\(count == 1 ? "" : "s") (0 to \(count - 1))"
        case let .scanDirectory(path, reason):
            "scan directory \(path): \(reason)"
        case .closureNeedsConfig(let weightField):
            "new weights from the jet field '\(weightField)' need the reweighting config (--config) for the samples"
        case .invalidOutputPart(let file, let reason):
            "\(file): \(reason)"
        case .outputPartsDoNotCover(let reason):
            "the parts do not cover the inputs once: \(reason)"
        case .resumedConfigDiffers(let directory, let config):
            "\(directory)/config.json is not the config \(config) (with its --set overrides): --resume-if-exists "
                + "continues a run only with the config it started with (give another --out, or remove the run)"
        }
    }
}
