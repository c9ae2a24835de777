import Foundation
import JetData
import Testing

@Suite struct JetExpressionTests {
    private let x: [Float] = [2, -3, 0.5, 4]
    private let y: [Float] = [3, 4, -1, 0]

    /// The expression on the columns x and y (in the order it reads them).
    private func values(_ text: String) throws -> [Float] {
        let expression = try JetExpression(text, kind: .value)
        let inputs = expression.fieldNames.map { $0 == "x" ? x : y }
        return expression.evaluate(count: x.count, inputs: inputs)
    }

    @Test func precedenceAndAssociativity() throws {
        #expect(try values("1 + 2 * 3 - 4 / 2") == [5, 5, 5, 5])
        #expect(try values("2 ** 3 ** 2") == [512, 512, 512, 512], "** is right-associative")
        #expect(try values("-x ** 2") == [-4, -9, -0.25, -16], "-x**2 is -(x**2)")
        #expect(try values("2 ** -1") == [0.5, 0.5, 0.5, 0.5])
        #expect(try values("x - y - 1") == [-2, -8, 0.5, 3], "left-associative")
        #expect(try values("x * y ** 2") == [18, -48, 0.5, 0])
        #expect(try values("(x + y) * 2") == [10, 2, -1, 8])
    }

    @Test func functionsAgainstHandValues() throws {
        #expect(try values("hypot(x, y)") == [hypotf(2, 3), 5, hypotf(0.5, 1), 4])
        #expect(try values("min(x, y) + max(x, y)") == [5, 1, -0.5, 4])
        #expect(try values("abs(x) + sqrt(abs(y))") == [2 + Float(3).squareRoot(), 5, 1.5, 4])
        #expect(try values("log(exp(x))").enumerated().allSatisfy { abs($0.element - x[$0.offset]) < 1e-6 })
        #expect(try values("log(abs(y))")[3] == -.infinity, "log of 0 is -inf, caught by the callers")
        #expect(try values("min(log(y), 1)")[1..<3].map(\.isNaN) == [false, true], "min propagates NaN")
        #expect(try values("max(1, log(y))")[1..<3].map(\.isNaN) == [false, true], "max propagates NaN")
    }

    @Test func conditionsAreZeroOrOne() throws {
        #expect(try values("x > 1") == [1, 0, 0, 1])
        #expect(try values("(x > 1) * 10 + (y != 0)") == [11, 1, 1, 10])
        #expect(try values("x > 0 && y > 0 || x == 4") == [1, 0, 0, 1])
        #expect(try values("!(x > 0)") == [0, 1, 0, 0])
        #expect(try JetExpression("y + x * jet.pt", kind: .value).fieldNames == ["y", "x", "jet.pt"])
        #expect(try JetExpression("y + x * jet.pt", kind: .value).fieldPositions == [0, 4, 8])
    }

    @Test(arguments: [
        ("log(x", 5, "expected ')'"),
        ("hypot(x)", 0, "'hypot' takes 2 arguments, got 1"),
        ("1 + log(x, y)", 4, "'log' takes 1 argument, got 2"),
        ("x + tanh(y)", 4, "unknown function 'tanh' (known: abs, exp, hypot, log, max, min, sqrt)"),
        ("x * * y", 4, "unexpected '*'"),
        ("x ^ 2", 2, "unexpected character '^'"),
        ("x && y > 1", 2, "'&&' needs conditions on both sides"),
        ("x + ", 4, "unexpected 'end of text'"),
    ])
    func syntaxErrorsNameThePosition(text: String, position: Int, reason: String) {
        #expect(throws: ExpressionSyntaxError(position: position, reason: reason)) {
            try JetExpression(text, kind: .value)
        }
    }

    @Test func aConditionKeepsNumbersAndConditionsApart() {
        #expect(throws: ExpressionSyntaxError(position: 0, reason: "not a condition (no comparison)")) {
            try JetExpression("x + 1", kind: .condition)
        }
        #expect(throws: ExpressionSyntaxError(position: 1, reason: "expected a number, found a condition")) {
            try JetExpression("-(x > 1) < 0", kind: .condition)
        }
    }
}
