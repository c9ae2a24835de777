import JetCore

/// Everything that can go wrong when computing or writing metrics.
///
/// Messages name the array, index or class involved and say what was expected, so that a physicist can
/// find the offending input without reading this module.
public enum JetMetricsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Two arrays that must be aligned jet by jet have different lengths.
    case lengthMismatch(array: String, expected: Int, got: Int)
    /// A score, value or weight is NaN (or infinite where that is not allowed).
    case nonFiniteValue(array: String, index: Int, value: Double)
    /// A class taking part in a metric has no jets at all.
    case emptyClass(name: String)
    /// A class's weights sum to zero or less, so efficiencies or normalisations are undefined.
    case nonPositiveWeightSum(name: String, sumOfWeights: Double, count: Int)
    /// A class index lies outside `0..<classCount`.
    case classOutOfRange(array: String, index: Int, value: Int, classCount: Int)
    /// An argument is outside its allowed range; `expected` says what is allowed.
    case invalidArgument(name: String, value: String, expected: String)
    /// Two histograms that must share their binning do not.
    case binningMismatch(leftEdges: Int, rightEdges: Int)
    /// A file could not be written (or renamed into place).
    case writeFailed(path: String, reason: String)

    /// A file that could not be written because of `error` (a Foundation or POSIX error), said in plain words.
    public static func writeFailed(path: String, error: any Error) -> JetMetricsError {
        .writeFailed(path: path, reason: FileSystemError.reason(of: error))
    }

    public var description: String {
        switch self {
        case let .lengthMismatch(array, expected, got):
            return "'\(array)' has \(got) entries but \(expected) were expected (one per jet)."
        case let .nonFiniteValue(array, index, value):
            return "'\(array)'[\(index)] is \(value); metrics need finite numbers. Check the input at that row."
        case let .emptyClass(name):
            return "The \(name) class has no jets, so its efficiency is undefined. Check the labels and the selection."
        case let .nonPositiveWeightSum(name, sum, count):
            return "The \(name) weights sum to \(sum) over \(count) jets; a normalisation needs a positive sum. "
                + "Check the event weights (negative NLO weights must be outnumbered by positive ones)."
        case let .classOutOfRange(array, index, value, classCount):
            return "'\(array)'[\(index)] is class \(value) but only classes 0..<\(classCount) exist."
        case let .invalidArgument(name, value, expected):
            return "\(name) = \(value) is not allowed: expected \(expected)."
        case let .binningMismatch(leftEdges, rightEdges):
            return "The histograms have different bin edges (\(leftEdges) vs \(rightEdges) edges, or different values); "
                + "fill both with the same edges before comparing them."
        case let .writeFailed(path, reason):
            return "Could not write \(path): \(reason)."
        }
    }
}
