/// Errors of a training run: its config file, its data, checkpoints and model files.
///
/// JetModelsError covers the networks themselves; these name the config key (a dotted path such as
/// `training.epochs`), the file, and what was expected.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A key the config schema does not have (usually a typo).
    case unknownKey(path: String, file: String, known: [String])
    /// A value of the wrong type or out of range.
    case invalidValue(path: String, file: String, expected: String)
    /// A required key is absent.
    case missingKey(path: String, file: String)
    /// A `--set key.path=value` override that cannot be applied.
    case invalidOverride(String)
    /// The data does not fit the config (labels, classes, empty splits).
    case invalidData(String)
    /// A model or checkpoint file that is not what JetTag wrote, or that this version cannot read.
    case invalidModelFile(file: String, reason: String)
    /// A run directory that cannot be resumed.
    case cannotResume(directory: String, reason: String)
    /// Training was stopped by a signal after writing a checkpoint.
    case interrupted(checkpoint: String)

    public var description: String {
        switch self {
        case .unknownKey(let path, let file, let known):
            "\(file): unknown key '\(path)'"
                + (known.isEmpty ? "" : "; known keys here: \(known.joined(separator: ", "))")
        case .invalidValue(let path, let file, let expected):
            "\(file): key '\(path)': \(expected)"
        case .missingKey(let path, let file):
            "\(file): required key '\(path)' is missing"
        case .invalidOverride(let message):
            "--set: \(message)"
        case .invalidData(let message):
            message
        case .invalidModelFile(let file, let reason):
            "\(file): not a usable JetTag model file: \(reason)"
        case .cannotResume(let directory, let reason):
            "cannot resume \(directory): \(reason)"
        case .interrupted(let checkpoint):
            "training interrupted; checkpoint written to \(checkpoint) (continue with --resume)"
        }
    }
}
