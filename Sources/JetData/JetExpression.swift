import Foundation

/// A syntax error in an expression: the reason and the 0-based character position it points at.
public struct ExpressionSyntaxError: Error, Equatable, Sendable {
    public let position: Int
    public let reason: String

    public init(position: Int, reason: String) {
        self.position = position
        self.reason = reason
    }
}

/// An arithmetic expression or condition over named Float32 columns, parsed once and compiled to a small stack
/// program that runs instruction by instruction over whole columns (no per-element allocation). The grammar of
/// `JetSelection` and of the `features.newVariables` expressions.
///
/// Grammar, lowest precedence first: `||`; `&&`; unary `!`; one comparison (`<`, `<=`, `>`, `>=`, `==`, `!=`);
/// `+ -`; `* /`; unary `-`; `**` (right-associative, binding tighter than a unary minus on its left:
/// `-x**2` is `-(x**2)`, as in Python); numbers (`2`, `0.5`, `2e2`), names (identifiers, with dotted parts:
/// `jet.pt`), parentheses and the functions `abs`, `sqrt`, `log`, `exp` (one argument), `hypot`, `min`, `max`
/// (two). Conditions are 1 (true) or 0 (false); a `.value` expression may use them as numbers
/// (`(charge != 0) * 2`), a `.condition` must be one and keeps numbers and conditions apart.
/// Arithmetic is IEEE Float32: `log(0)` is -inf, `1/0` inf, and `min`/`max` propagate NaN.
public struct JetExpression: Sendable, Equatable {
    /// What the whole expression must be.
    public enum Kind: Sendable {
        /// A cut: the top level must be a condition.
        case condition
        /// A number; conditions count as 0/1.
        case value
    }

    /// The text the expression was parsed from.
    public let text: String
    /// The names it reads, in order of first use; `evaluate`'s inputs follow this order.
    public let fieldNames: [String]
    /// The character position of each name's first use.
    public let fieldPositions: [Int]
    /// Whether the top level is a condition (values 0/1).
    public let isCondition: Bool
    private let program: [Instruction]
    private let stackDepth: Int

    /// The functions and their number of arguments.
    public static let functions: [String: Int] = ["abs": 1, "sqrt": 1, "log": 1, "exp": 1, "hypot": 2, "min": 2, "max": 2]

    /// Parses and compiles `text`.
    ///
    /// - Throws: `ExpressionSyntaxError` naming the bad token, unknown function or wrong number of arguments
    ///   and its position.
    public init(_ text: String, kind: Kind) throws {
        var parser = _ExpressionParser(text: text, allowsConditionsAsNumbers: kind == .value)
        let compiled = try parser.parse()
        if kind == .condition, !compiled.isCondition {
            throw ExpressionSyntaxError(position: 0, reason: "not a condition (no comparison)")
        }
        self.text = text
        fieldNames = parser.fields.map(\.name)
        fieldPositions = parser.fields.map(\.position)
        isCondition = compiled.isCondition
        program = compiled.code
        stackDepth = compiled.depth
    }

    /// The expression's value on `count` rows, `inputs[k]` holding (at least) `count` values of `fieldNames[k]`.
    public func evaluate(count: Int, inputs: [[Float]]) -> [Float] {
        precondition(inputs.count == fieldNames.count && inputs.allSatisfy { $0.count >= count })
        guard count > 0 else { return [] }
        var stack = [Float](repeating: 0, count: stackDepth * count)
        stack.withUnsafeMutableBufferPointer { stack in
            var top = 0
            for instruction in program {
                switch instruction {
                case .input(let k):
                    inputs[k].withUnsafeBufferPointer { source in
                        for i in 0..<count { stack[top * count + i] = source[i] }
                    }
                    top += 1
                case .constant(let value):
                    for i in 0..<count { stack[top * count + i] = value }
                    top += 1
                case .unary(let operation):
                    Self.apply(operation, UnsafeMutableBufferPointer(rebasing: stack[((top - 1) * count)...].prefix(count)))
                case .binary(let operation):
                    let left = UnsafeMutableBufferPointer(rebasing: stack[((top - 2) * count)...].prefix(count))
                    let right = UnsafeMutableBufferPointer(rebasing: stack[((top - 1) * count)...].prefix(count))
                    Self.apply(operation, left, UnsafeBufferPointer(right))
                    top -= 1
                }
            }
        }
        return Array(stack.prefix(count))
    }

    enum Unary: Sendable, Equatable {
        case negate, absolute, squareRoot, logarithm, exponential, not
    }

    enum Binary: Sendable, Equatable {
        case add, subtract, multiply, divide, power, hypotenuse, minimum, maximum
        case less, lessEqual, greater, greaterEqual, equal, notEqual, and, or
    }

    enum Instruction: Sendable, Equatable {
        case input(Int)
        case constant(Float)
        case unary(Unary)
        case binary(Binary)
    }

    @inline(__always)
    private static func map(_ x: UnsafeMutableBufferPointer<Float>, _ f: (Float) -> Float) {
        for i in x.indices { x[i] = f(x[i]) }
    }

    @inline(__always)
    private static func map(_ x: UnsafeMutableBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>, _ f: (Float, Float) -> Float) {
        for i in x.indices { x[i] = f(x[i], y[i]) }
    }

    @inline(__always)
    private static func flag(_ condition: Bool) -> Float { condition ? 1 : 0 }

    private static func apply(_ operation: Unary, _ x: UnsafeMutableBufferPointer<Float>) {
        switch operation {
        case .negate: map(x) { -$0 }
        case .absolute: map(x) { Swift.abs($0) }
        case .squareRoot: map(x) { $0.squareRoot() }
        case .logarithm: map(x) { Foundation.log($0) }
        case .exponential: map(x) { Foundation.exp($0) }
        case .not: map(x) { flag($0 == 0) }
        }
    }

    private static func apply(_ operation: Binary, _ x: UnsafeMutableBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>) {
        switch operation {
        case .add: map(x, y) { $0 + $1 }
        case .subtract: map(x, y) { $0 - $1 }
        case .multiply: map(x, y) { $0 * $1 }
        case .divide: map(x, y) { $0 / $1 }
        case .power: map(x, y) { Foundation.pow($0, $1) }
        case .hypotenuse: map(x, y) { Foundation.hypot($0, $1) }
        case .minimum: map(x, y) { $0 < $1 || $0.isNaN ? $0 : $1 }
        case .maximum: map(x, y) { $0 > $1 || $0.isNaN ? $0 : $1 }
        case .less: map(x, y) { flag($0 < $1) }
        case .lessEqual: map(x, y) { flag($0 <= $1) }
        case .greater: map(x, y) { flag($0 > $1) }
        case .greaterEqual: map(x, y) { flag($0 >= $1) }
        case .equal: map(x, y) { flag($0 == $1) }
        case .notEqual: map(x, y) { flag($0 != $1) }
        case .and: map(x, y) { flag($0 != 0 && $1 != 0) }
        case .or: map(x, y) { flag($0 != 0 || $1 != 0) }
        }
    }
}

/// Recursive-descent parser emitting postfix code; each level checks that its operands are numbers or
/// conditions as needed.
private struct _ExpressionParser {
    enum Token: Equatable {
        case number(Float)
        case name(String)
        case symbol(String)
        case end
    }

    /// A compiled sub-expression: its postfix code, the stack slots it needs and whether it is a condition.
    struct Fragment {
        var code: [JetExpression.Instruction]
        var depth: Int
        var isCondition: Bool
    }

    let text: String
    let allowsConditionsAsNumbers: Bool
    private var tokens: [(token: Token, position: Int)] = []
    private var index = 0
    private(set) var fields: [(name: String, position: Int)] = []

    private static let comparisons: [String: JetExpression.Binary] = [
        "<": .less, "<=": .lessEqual, ">": .greater, ">=": .greaterEqual, "==": .equal, "!=": .notEqual,
    ]
    private static let unaryFunctions: [String: JetExpression.Unary] = [
        "abs": .absolute, "sqrt": .squareRoot, "log": .logarithm, "exp": .exponential,
    ]
    private static let binaryFunctions: [String: JetExpression.Binary] = ["hypot": .hypotenuse, "min": .minimum, "max": .maximum]

    init(text: String, allowsConditionsAsNumbers: Bool) {
        self.text = text
        self.allowsConditionsAsNumbers = allowsConditionsAsNumbers
    }

    mutating func parse() throws -> Fragment {
        tokens = try tokenize()
        let fragment = try parseOr()
        guard current.token == .end else { throw error("unexpected '\(describe(current.token))'") }
        return fragment
    }

    private var current: (token: Token, position: Int) { tokens[index] }

    private func error(_ reason: String, at position: Int? = nil) -> ExpressionSyntaxError {
        ExpressionSyntaxError(position: position ?? current.position, reason: reason)
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case .number(let value): return "\(value)"
        case .name(let name): return name
        case .symbol(let symbol): return symbol
        case .end: return "end of text"
        }
    }

    private mutating func accept(_ symbol: String) -> Bool {
        guard current.token == .symbol(symbol) else { return false }
        index += 1
        return true
    }

    private func combine(_ left: Fragment, _ right: Fragment, _ operation: JetExpression.Binary, condition: Bool) -> Fragment {
        Fragment(code: left.code + right.code + [.binary(operation)], depth: max(left.depth, right.depth + 1), isCondition: condition)
    }

    private mutating func condition(_ parse: (inout Self) throws -> Fragment) throws -> Fragment {
        let position = current.position
        let fragment = try parse(&self)
        guard fragment.isCondition else { throw error("expected a condition", at: position) }
        return fragment
    }

    private mutating func number(_ parse: (inout Self) throws -> Fragment) throws -> Fragment {
        let position = current.position
        let fragment = try parse(&self)
        guard !fragment.isCondition || allowsConditionsAsNumbers else {
            throw error("expected a number, found a condition", at: position)
        }
        return fragment
    }

    private mutating func parseOr() throws -> Fragment {
        var fragment = try parseAnd()
        while current.token == .symbol("||") {
            guard fragment.isCondition else { throw error("'||' needs conditions on both sides") }
            index += 1
            fragment = combine(fragment, try condition { try $0.parseAnd() }, .or, condition: true)
        }
        return fragment
    }

    private mutating func parseAnd() throws -> Fragment {
        var fragment = try parseNot()
        while current.token == .symbol("&&") {
            guard fragment.isCondition else { throw error("'&&' needs conditions on both sides") }
            index += 1
            fragment = combine(fragment, try condition { try $0.parseNot() }, .and, condition: true)
        }
        return fragment
    }

    private mutating func parseNot() throws -> Fragment {
        guard accept("!") else { return try parseComparison() }
        var fragment = try condition { try $0.parseNot() }
        fragment.code.append(.unary(.not))
        return fragment
    }

    private mutating func parseComparison() throws -> Fragment {
        let left = try parseSum()
        guard case .symbol(let symbol) = current.token, let operation = Self.comparisons[symbol] else { return left }
        guard !left.isCondition || allowsConditionsAsNumbers else { throw error("cannot compare a condition") }
        index += 1
        return combine(left, try number { try $0.parseSum() }, operation, condition: true)
    }

    private mutating func parseSum() throws -> Fragment {
        var fragment = try parseProduct()
        while case .symbol(let symbol) = current.token, symbol == "+" || symbol == "-" {
            fragment = try arithmetic(fragment, symbol, symbol == "+" ? .add : .subtract) { try $0.parseProduct() }
        }
        return fragment
    }

    private mutating func parseProduct() throws -> Fragment {
        var fragment = try parseUnary()
        while case .symbol(let symbol) = current.token, symbol == "*" || symbol == "/" {
            fragment = try arithmetic(fragment, symbol, symbol == "*" ? .multiply : .divide) { try $0.parseUnary() }
        }
        return fragment
    }

    private mutating func arithmetic(
        _ left: Fragment, _ symbol: String, _ operation: JetExpression.Binary, _ operand: (inout Self) throws -> Fragment
    ) throws -> Fragment {
        guard !left.isCondition || allowsConditionsAsNumbers else { throw error("'\(symbol)' needs numbers on both sides") }
        index += 1
        return combine(left, try number(operand), operation, condition: false)
    }

    private mutating func parseUnary() throws -> Fragment {
        guard accept("-") else { return try parsePower() }
        var fragment = try number { try $0.parseUnary() }
        fragment.code.append(.unary(.negate))
        fragment.isCondition = false
        return fragment
    }

    private mutating func parsePower() throws -> Fragment {
        let base = try parsePrimary()
        guard current.token == .symbol("**") else { return base }
        return try arithmetic(base, "**", .power) { try $0.parseUnary() }
    }

    private mutating func parsePrimary() throws -> Fragment {
        let (token, position) = current
        switch token {
        case .number(let value):
            index += 1
            return Fragment(code: [.constant(value)], depth: 1, isCondition: false)
        case .name(let name):
            index += 1
            if accept("(") { return try parseCall(name, at: position) }
            if !fields.contains(where: { $0.name == name }) { fields.append((name, position)) }
            let input = fields.firstIndex { $0.name == name }!
            return Fragment(code: [.input(input)], depth: 1, isCondition: false)
        case .symbol("("):
            index += 1
            let fragment = try parseOr()
            guard accept(")") else { throw error("expected ')'") }
            return fragment
        default:
            throw error("unexpected '\(describe(token))'")
        }
    }

    /// A function call after its `(`: the arguments, their count against the function's, and the `)`.
    private mutating func parseCall(_ name: String, at position: Int) throws -> Fragment {
        guard let arity = JetExpression.functions[name] else {
            throw error("unknown function '\(name)' (known: \(JetExpression.functions.keys.sorted().joined(separator: ", ")))", at: position)
        }
        var arguments: [Fragment] = []
        if current.token != .symbol(")") {
            repeat { arguments.append(try number { try $0.parseOr() }) } while accept(",")
        }
        guard accept(")") else { throw error("expected ')'") }
        guard arguments.count == arity else {
            throw error("'\(name)' takes \(arity) argument\(arity == 1 ? "" : "s"), got \(arguments.count)", at: position)
        }
        if let operation = Self.unaryFunctions[name] {
            var fragment = arguments[0]
            fragment.code.append(.unary(operation))
            fragment.isCondition = false
            return fragment
        }
        return combine(arguments[0], arguments[1], Self.binaryFunctions[name]!, condition: false)
    }

    private func tokenize() throws -> [(token: Token, position: Int)] {
        var result: [(token: Token, position: Int)] = []
        let characters = Array(text)
        var position = 0
        let symbols = ["&&", "||", "<=", ">=", "==", "!=", "**", "<", ">", "!", "+", "-", "*", "/", "(", ")", ","]
        func isNameCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        while position < characters.count {
            let character = characters[position]
            if character.isWhitespace {
                position += 1
            } else if character.isNumber || character == "." {
                let start = position
                while position < characters.count,
                    characters[position].isNumber || characters[position] == "." || "eE".contains(characters[position])
                        || ("+-".contains(characters[position]) && "eE".contains(characters[position - 1]))
                {
                    position += 1
                }
                let literal = String(characters[start..<position])
                guard let value = Float(literal) else {
                    throw ExpressionSyntaxError(position: start, reason: "bad number '\(literal)'")
                }
                result.append((.number(value), start))
            } else if character.isLetter || character == "_" {
                let start = position
                while position < characters.count,
                    isNameCharacter(characters[position])
                        || (characters[position] == "." && position + 1 < characters.count
                            && (characters[position + 1].isLetter || characters[position + 1] == "_"))
                {
                    position += 1
                }
                result.append((.name(String(characters[start..<position])), start))
            } else if let symbol = symbols.first(where: { characters[position...].starts(with: $0) }) {
                result.append((.symbol(symbol), position))
                position += symbol.count
            } else {
                throw ExpressionSyntaxError(position: position, reason: "unexpected character '\(character)'")
            }
        }
        result.append((.end, characters.count))
        return result
    }
}
