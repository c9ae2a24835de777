/// Everything that can go wrong while turning jets into network inputs and training weights.
///
/// Rows are the jet's row in its input file when the batch carries `rows`, else its position in the batch;
/// constituent indices count from 0 in pT order.
public enum JetFeaturesError: Error, Equatable, CustomStringConvertible {
    /// A variable name is neither a known derived variable nor a field of the batch.
    case unknownVariable(name: String, level: String, available: [String])
    /// A field a derived variable needs is missing from the batch.
    case missingField(field: String, level: String, neededBy: String)
    /// A field or the mask has the wrong number of entries.
    case shapeMismatch(field: String, expected: Int, got: Int)
    /// A jet's constituent count is negative or exceeds the batch's slots.
    case invalidMultiplicity(row: Int, multiplicity: Int, slots: Int)
    /// NaN or infinity in an input field; `constituent` is nil for jet-level fields.
    case nonFiniteInput(field: String, row: Int, constituent: Int?, value: Float)
    /// log of a non-positive value and the variable has no `logFloor`.
    case nonPositiveLogArgument(variable: String, row: Int, constituent: Int?, value: Float)
    /// The extractor was asked to standardise with parameters that were neither given nor fitted.
    case unfittedStandardization(variable: String)
    /// A standardisation fit saw no valid entries for a variable.
    case noEntriesToFit(variable: String)
    /// A spec value is impossible (bad clip range, non-increasing bin edges, ...).
    case invalidSpec(String)
    /// A label outside 0..<classCount.
    case invalidLabel(row: Int, label: Int32, classCount: Int)
    /// A class whose signed weight sum is zero or negative cannot be normalised.
    case nonPositiveClassWeightSum(label: Int, sum: Double)
    /// A jet falls outside the binning and the spec says `outOfRange: error`.
    case outOfBinningRange(field: String, row: Int, value: Float, low: Float, high: Float)
    /// A populated bin has a signed weight sum <= 0, so a ratio to it is undefined.
    case nonPositiveBinSum(label: Int, bin: [Int], sum: Double, jets: Int)
    /// A class has no jets but the method needs them (e.g. as the target).
    case emptyClass(label: Int)
    /// A new variable's expression does not parse: bad token, unknown function, wrong number of arguments.
    case invalidExpression(variable: String, expression: String, position: Int, reason: String)
    /// A name in a new variable's expression is no variable at the level it is used at (`file`: the input that
    /// lacks it, when known).
    case unknownExpressionName(
        variable: String, expression: String, name: String, position: Int, level: String, file: String?, available: [String])
    /// A new variable's expression gave NaN or infinity (log of 0, division by 0, ...).
    case nonFiniteExpression(variable: String, expression: String, file: String?, row: Int, constituent: Int?, value: Float)

    public var description: String {
        switch self {
        case let .unknownVariable(name, level, available):
            return "unknown \(level) variable '\(name)'; known: \(available.joined(separator: ", "))"
        case let .missingField(field, level, neededBy):
            return "the batch has no \(level) field '\(field)', needed by variable '\(neededBy)'"
        case let .shapeMismatch(field, expected, got):
            return "field '\(field)' has \(got) entries, expected \(expected)"
        case let .invalidMultiplicity(row, multiplicity, slots):
            return "jet row \(row): \(multiplicity) constituents, but the batch has \(slots) slots per jet"
        case let .nonFiniteInput(field, row, constituent, value):
            return "field '\(field)' is \(value) at jet row \(row)" + Self.constituentText(constituent)
        case let .nonPositiveLogArgument(variable, row, constituent, value):
            return "variable '\(variable)': log of \(value) at jet row \(row)" + Self.constituentText(constituent)
                + "; give the variable a logFloor to clamp it"
        case let .unfittedStandardization(variable):
            return "variable '\(variable)' has no subtractBy/multiplyBy: fit the standardisation on the "
                + "training data first (StandardizationFitter) or give the values in the spec"
        case let .noEntriesToFit(variable):
            return "variable '\(variable)': no valid entries to fit the standardisation on"
        case let .invalidSpec(message):
            return "invalid spec: \(message)"
        case let .invalidLabel(row, label, classCount):
            return "jet row \(row): label \(label) is outside 0..<\(classCount)"
        case let .nonPositiveClassWeightSum(label, sum):
            return "class \(label): signed weight sum is \(sum), cannot normalise it to a positive total"
        case let .outOfBinningRange(field, row, value, low, high):
            return "jet row \(row): \(field) = \(value) is outside the binning [\(low), \(high)]; "
                + "widen the edges or set outOfRange: clamp"
        case let .nonPositiveBinSum(label, bin, sum, jets):
            return "class \(label), bin \(bin): \(jets) jets with signed weight sum \(sum) <= 0; "
                + "the reweighting ratio is undefined there: use coarser bins"
        case let .emptyClass(label):
            return "class \(label) has no jets"
        case let .invalidExpression(variable, expression, position, reason):
            return "new variable '\(variable)' = '\(expression)': \(reason) at position \(position)"
        case let .unknownExpressionName(variable, expression, name, position, level, file, available):
            return "new variable '\(variable)' = '\(expression)': unknown \(level) '\(name)' at position "
                + "\(position)" + (file.map { " in \($0)" } ?? "") + " (known: \(available.joined(separator: ", ")))"
        case let .nonFiniteExpression(variable, expression, file, row, constituent, value):
            return "new variable '\(variable)' = '\(expression)' is \(value) at "
                + (file.map { "\($0), " } ?? "") + "jet row \(row)" + Self.constituentText(constituent)
                + "; guard the expression, e.g. log(max(x, 1e-6)) or x / max(y, 1e-6)"
        }
    }

    private static func constituentText(_ constituent: Int?) -> String {
        constituent.map { ", constituent \($0)" } ?? ""
    }
}
