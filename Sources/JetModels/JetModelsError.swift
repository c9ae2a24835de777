/// Errors JetModels reports for a bad model configuration or a batch that does not fit the model.
public enum JetModelsError: Error, CustomStringConvertible, Equatable {
    /// A configuration value outside its allowed range.
    case invalidConfig(model: String, field: String, value: String, expected: String)
    /// A configuration key that the model does not know (usually a typo in the YAML file).
    case unknownConfigKey(model: String, key: String, known: [String])
    /// A batch whose per-constituent or jet-level feature count differs from the model's.
    case featureCount(model: String, input: String, expected: Int, got: Int)
    /// A batch whose jet-level features have a different number of rows than the batch has jets.
    case jetCount(model: String, expected: Int, got: Int)

    public var description: String {
        switch self {
        case let .invalidConfig(model, field, value, expected):
            "\(model) config: '\(field)' is \(value), expected \(expected)"
        case let .unknownConfigKey(model, key, known):
            "\(model) config: unknown key '\(key)'; known keys: \(known.joined(separator: ", "))"
        case let .featureCount(model, input, expected, got):
            "\(model): the batch has \(got) \(input) features per row, the model was built for \(expected)"
        case let .jetCount(model, expected, got):
            "\(model): the jet-level features have \(got) rows, the batch has \(expected) jets"
        }
    }
}
