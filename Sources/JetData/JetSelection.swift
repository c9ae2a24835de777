/// A cut on jet fields, parsed from text such as `pt > 550 && pt < 650 && abs(eta) < 2`.
///
/// Grammar: comparisons (`<`, `<=`, `>`, `>=`, `==`, `!=`) of arithmetic expressions (`+ - * /`,
/// unary `-`, `abs(...)`, numbers, jet field names, parentheses), combined with `&&`, `||`, `!`.
public struct JetSelection: Sendable, CustomStringConvertible {
    /// The text the selection was parsed from.
    public let expression: String
    /// The jet fields the selection reads.
    public let fieldNames: [String]
    private let root: Node

    /// Parses `expression`.
    ///
    /// - Throws: `JetDataError.invalidSelection` naming the bad token and its position (0-based).
    public init(_ expression: String) throws {
        var parser = Parser(expression: expression)
        root = try parser.parseSelection()
        self.expression = expression
        fieldNames = parser.fields
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
        guard case .booleans(let passed) = root.evaluate(batch) else { return [] }
        return passed
    }

    indirect enum Node: Sendable {
        case number(Float)
        case field(String)
        case negate(Node)
        case absolute(Node)
        case arithmetic(Node, Character, Node)
        case comparison(Node, String, Node)
        case not(Node)
        case and(Node, Node)
        case or(Node, Node)

        var isBoolean: Bool {
            switch self {
            case .comparison, .not, .and, .or: return true
            default: return false
            }
        }

        enum Value {
            case numbers([Float])
            case booleans([Bool])
        }

        private static let arithmeticOperators: [Character: @Sendable (Float, Float) -> Float] = [
            "+": { $0 + $1 }, "-": { $0 - $1 }, "*": { $0 * $1 }, "/": { $0 / $1 },
        ]
        private static let comparisonOperators: [String: @Sendable (Float, Float) -> Bool] = [
            "<": { $0 < $1 }, "<=": { $0 <= $1 }, ">": { $0 > $1 }, ">=": { $0 >= $1 }, "==": { $0 == $1 }, "!=": { $0 != $1 },
        ]

        func evaluate(_ batch: JetBatch) -> Value {
            switch self {
            case .number(let value): return .numbers([Float](repeating: value, count: batch.count))
            case .field(let name): return .numbers(batch.jetFields[name]!)
            case .negate(let node): return .numbers(node.numbers(batch).map { -$0 })
            case .absolute(let node): return .numbers(node.numbers(batch).map { abs($0) })
            case .arithmetic(let left, let op, let right):
                let function = Self.arithmeticOperators[op]!
                return .numbers(zip(left.numbers(batch), right.numbers(batch)).map(function))
            case .comparison(let left, let op, let right):
                return .booleans(zip(left.numbers(batch), right.numbers(batch)).map(Self.comparisonOperators[op]!))
            case .not(let node): return .booleans(node.booleans(batch).map { !$0 })
            case .and(let left, let right): return .booleans(zip(left.booleans(batch), right.booleans(batch)).map { $0 && $1 })
            case .or(let left, let right): return .booleans(zip(left.booleans(batch), right.booleans(batch)).map { $0 || $1 })
            }
        }

        private func numbers(_ batch: JetBatch) -> [Float] {
            guard case .numbers(let values) = evaluate(batch) else { return [] }
            return values
        }

        private func booleans(_ batch: JetBatch) -> [Bool] {
            guard case .booleans(let values) = evaluate(batch) else { return [] }
            return values
        }
    }

    /// Recursive-descent parser; each level checks that its operands are numbers or conditions as needed.
    private struct Parser {
        enum Token: Equatable {
            case number(Float)
            case name(String)
            case symbol(String)
            case end
        }

        let expression: String
        private var tokens: [(token: Token, position: Int)] = []
        private var index = 0
        private(set) var fields: [String] = []

        init(expression: String) {
            self.expression = expression
        }

        mutating func parseSelection() throws -> Node {
            tokens = try tokenize()
            let node = try parseOr()
            guard current.token == .end else { throw error("unexpected '\(text(current.token))'") }
            guard node.isBoolean else { throw JetDataError.invalidSelection(expression: expression, position: 0, reason: "not a condition (no comparison)") }
            return node
        }

        private var current: (token: Token, position: Int) { tokens[index] }

        private func error(_ reason: String) -> JetDataError {
            .invalidSelection(expression: expression, position: current.position, reason: reason)
        }

        private func text(_ token: Token) -> String {
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

        private mutating func condition(_ parse: (inout Parser) throws -> Node) throws -> Node {
            let position = current.position
            let node = try parse(&self)
            guard node.isBoolean else {
                throw JetDataError.invalidSelection(expression: expression, position: position, reason: "expected a condition")
            }
            return node
        }

        private mutating func number(_ parse: (inout Parser) throws -> Node) throws -> Node {
            let position = current.position
            let node = try parse(&self)
            guard !node.isBoolean else {
                throw JetDataError.invalidSelection(expression: expression, position: position, reason: "expected a number, found a condition")
            }
            return node
        }

        private mutating func parseOr() throws -> Node {
            var node = try parseAnd()
            while current.token == .symbol("||") {
                guard node.isBoolean else { throw error("'||' needs conditions on both sides") }
                index += 1
                node = .or(node, try condition { try $0.parseAnd() })
            }
            return node
        }

        private mutating func parseAnd() throws -> Node {
            var node = try parseNot()
            while current.token == .symbol("&&") {
                guard node.isBoolean else { throw error("'&&' needs conditions on both sides") }
                index += 1
                node = .and(node, try condition { try $0.parseNot() })
            }
            return node
        }

        private mutating func parseNot() throws -> Node {
            if accept("!") { return .not(try condition { try $0.parseNot() }) }
            return try parseComparison()
        }

        private mutating func parseComparison() throws -> Node {
            let left = try parseSum()
            guard case .symbol(let op) = current.token, ["<", "<=", ">", ">=", "==", "!="].contains(op) else { return left }
            guard !left.isBoolean else { throw error("cannot compare a condition") }
            index += 1
            return .comparison(left, op, try number { try $0.parseSum() })
        }

        private mutating func parseSum() throws -> Node {
            var node = try parseProduct()
            while case .symbol(let op) = current.token, op == "+" || op == "-" {
                node = try arithmetic(node, op)
            }
            return node
        }

        private mutating func parseProduct() throws -> Node {
            var node = try parseUnary()
            while case .symbol(let op) = current.token, op == "*" || op == "/" {
                node = try arithmetic(node, op)
            }
            return node
        }

        private mutating func arithmetic(_ left: Node, _ op: String) throws -> Node {
            guard !left.isBoolean else { throw error("'\(op)' needs numbers on both sides") }
            index += 1
            let right = op == "+" || op == "-" ? try number { try $0.parseProduct() } : try number { try $0.parseUnary() }
            return .arithmetic(left, Character(op), right)
        }

        private mutating func parseUnary() throws -> Node {
            if accept("-") { return .negate(try number { try $0.parseUnary() }) }
            return try parsePrimary()
        }

        private mutating func parsePrimary() throws -> Node {
            let token = current.token
            switch token {
            case .number(let value):
                index += 1
                return .number(value)
            case .name(let name):
                index += 1
                if accept("(") {
                    guard name == "abs" else { throw JetDataError.invalidSelection(expression: expression, position: tokens[index - 2].position, reason: "unknown function '\(name)' (only abs)") }
                    let argument = try number { try $0.parseOr() }
                    guard accept(")") else { throw error("expected ')'") }
                    return .absolute(argument)
                }
                if !fields.contains(name) { fields.append(name) }
                return .field(name)
            case .symbol("("):
                index += 1
                let node = try parseOr()
                guard accept(")") else { throw error("expected ')'") }
                return node
            default:
                throw error("unexpected '\(text(token))'")
            }
        }

        private func tokenize() throws -> [(token: Token, position: Int)] {
            var result: [(token: Token, position: Int)] = []
            let characters = Array(expression)
            var position = 0
            let symbols = ["&&", "||", "<=", ">=", "==", "!=", "<", ">", "!", "+", "-", "*", "/", "(", ")"]
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
                        throw JetDataError.invalidSelection(expression: expression, position: start, reason: "bad number '\(literal)'")
                    }
                    result.append((.number(value), start))
                } else if character.isLetter || character == "_" {
                    let start = position
                    while position < characters.count, characters[position].isLetter || characters[position].isNumber || characters[position] == "_" {
                        position += 1
                    }
                    result.append((.name(String(characters[start..<position])), start))
                } else if let symbol = symbols.first(where: { characters[position...].starts(with: $0) }) {
                    result.append((.symbol(symbol), position))
                    position += symbol.count
                } else {
                    throw JetDataError.invalidSelection(expression: expression, position: position, reason: "unexpected character '\(character)'")
                }
            }
            result.append((.end, characters.count))
            return result
        }
    }
}
