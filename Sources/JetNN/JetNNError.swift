/// Errors JetNN reports for bad input that a caller can recover from (shape checks inside layers are
/// preconditions: they are programming errors).
public enum JetNNError: Error, CustomStringConvertible, Equatable {
    /// A mask's valid entries are not a prefix of the jet's constituent slots.
    case maskNotPrefix(jet: Int, slot: Int)
    /// A mask value other than 0 or 1.
    case maskValue(jet: Int, slot: Int, value: Float)
    /// A multiplicity outside 0...P.
    case multiplicityOutOfRange(jet: Int, multiplicity: Int, maxConstituents: Int)
    /// Loading parameters: a name the model has not got, or one missing from the input.
    case unknownParameter(name: String)
    case missingParameter(name: String)
    /// Loading parameters: a tensor whose shape differs from the model's.
    case parameterShape(name: String, expected: [Int], got: [Int])
    /// A tensor whose value count does not match its shape.
    case valueCount(name: String, expected: Int, got: Int)
    /// Restoring an optimizer: a state tensor missing (`got` nil) or of the wrong size.
    case optimizerState(optimizer: String, tensor: String, expected: Int, got: Int?)
    /// An environment variable JetNN reads (e.g. `JETTAG_BLAS`) set to a value it does not accept.
    case invalidEnvironmentValue(variable: String, value: String, allowed: [String])

    public var description: String {
        switch self {
        case let .maskNotPrefix(jet, slot):
            "constituent mask of jet \(jet): slot \(slot) is valid after an invalid slot; valid constituents must come first (pt-ordered prefix)"
        case let .maskValue(jet, slot, value):
            "constituent mask of jet \(jet), slot \(slot): expected 0 or 1, got \(value)"
        case let .multiplicityOutOfRange(jet, multiplicity, maxConstituents):
            "jet \(jet): multiplicity \(multiplicity) is outside 0...\(maxConstituents) (constituent slots per jet)"
        case let .unknownParameter(name):
            "parameter '\(name)' is not part of this model"
        case let .missingParameter(name):
            "parameter '\(name)' of this model is missing from the input"
        case let .parameterShape(name, expected, got):
            "parameter '\(name)': expected shape \(expected), got \(got)"
        case let .valueCount(name, expected, got):
            "parameter '\(name)': expected \(expected) values for its shape, got \(got)"
        case let .optimizerState(optimizer, tensor, expected, got?):
            "\(optimizer) state '\(tensor)': expected \(expected) values, got \(got); the checkpoint belongs to another model"
        case let .optimizerState(optimizer, tensor, _, nil):
            "\(optimizer) state '\(tensor)' is missing from the checkpoint"
        case let .invalidEnvironmentValue(variable, value, allowed):
            "environment variable \(variable)=\(value): expected one of \(allowed.joined(separator: ", "))"
        }
    }
}
