/// A cut on jet fields, parsed from text such as `pt > 550 && pt < 650 && abs(eta) < 2`.
///
/// Grammar: `JetExpression`'s (comparisons of arithmetic expressions with `+ - * / **`, unary `-`, the functions
/// `abs`, `sqrt`, `log`, `exp`, `hypot`, `min`, `max`, numbers, jet field names, parentheses, combined with `&&`,
/// `||`, `!`); the whole must be a condition.
public struct JetSelection: Sendable, CustomStringConvertible {
    /// The text the selection was parsed from.
    public let expression: String
    private let compiled: JetExpression

    /// The jet fields the selection reads.
    public var fieldNames: [String] { compiled.fieldNames }

    /// Parses `expression`.
    ///
    /// - Throws: `JetDataError.invalidSelection` naming the bad token and its position (0-based).
    public init(_ expression: String) throws {
        do {
            compiled = try JetExpression(expression, kind: .condition)
        } catch let error as ExpressionSyntaxError {
            throw JetDataError.invalidSelection(expression: expression, position: error.position, reason: error.reason)
        }
        self.expression = expression
    }

    public var description: String { expression }

    /// Throws `unknownSelectionField` unless every field used is in `available`.
    public func check(available: [String]) throws {
        for field in fieldNames where !available.contains(field) {
            throw JetDataError.unknownSelectionField(expression: expression, field: field, available: available)
        }
    }

    /// Whether each jet of `batch` passes (B values).
    public func evaluate(_ batch: JetBatch) throws -> [Bool] {
        try check(available: Array(batch.jetFields.keys).sorted())
        return compiled.evaluate(count: batch.count, inputs: fieldNames.map { batch.jetFields[$0]! }).map { $0 != 0 }
    }
}
