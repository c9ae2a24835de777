/// A non-fatal finding about a metric, such as a negative cumulative weight sum caused by negative event weights.
///
/// JSON keys: `code` (stable machine-readable identifier, one of the static codes below) and `message`
/// (a sentence for humans).
public struct MetricWarning: Codable, Equatable, Sendable, CustomStringConvertible {
    /// A cumulative sum of signed weights went below zero at some threshold, so an efficiency is negative.
    public static let negativeCumulativeWeight = "negative_cumulative_weight"
    /// An efficiency rose above one (a partial sum of signed weights exceeded the total).
    public static let efficiencyAboveOne = "efficiency_above_one"
    /// A histogram bin's weight sum is negative.
    public static let negativeBinWeight = "negative_bin_weight"
    /// A precision, recall or F1 score had a zero denominator and was set to 0 (as scikit-learn does).
    public static let zeroDivision = "zero_division"

    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "warning [\(code)]: \(message)" }
}
