import Foundation
import JetFeatures

/// Decodes a config document (a parsed YAML or JSON tree: dictionaries with string keys, arrays, numbers,
/// booleans, strings, NSNull) into Codable config types in one pass, and rejects every key that no type asked
/// for, so that a misspelt option never falls back silently to its default.
///
/// Every failure is a ``JetModelsError`` naming the file and the full dotted key path (`model.deepsets.poolng`,
/// `features.constituentVariables[0].clipMn`): ``JetModelsError/unknownKey(path:file:known:)``,
/// ``JetModelsError/missingKey(path:file:)`` or ``JetModelsError/invalidValue(path:file:expected:)``.
///
/// ```swift
/// let pfn = try ConfigDecoder(file: "pfn.yaml").decode(DeepSetsConfig.self, from: ["inputFeatures": 7])
/// ```
public struct ConfigDecoder: Sendable {
    /// Named in every error.
    public let file: String

    public init(file: String) {
        self.file = file
    }

    /// The value `tree` describes; a key of a mapping that the decoded types did not ask for is an error.
    public func decode<T: Decodable>(_ type: T.Type, from tree: Any) throws -> T {
        let log = _KeyLog()
        let value: T
        do {
            value = try T(from: _TreeDecoder(node: tree, codingPath: [], log: log))
        } catch {
            throw describe(error)
        }
        try rejectUnknownKeys(in: tree, at: [], log: log)
        return value
    }

    /// Throws for the first key (in sorted order, depth first) of a mapping the decoding opened that it did not
    /// ask for. Mappings below keys nobody asked for are not visited: the unknown key above them is reported.
    private func rejectUnknownKeys(in node: Any, at path: [CodingKey], log: _KeyLog) throws {
        if let mapping = node as? [String: Any] {
            guard let known = log.asked[Self.dotted(path)] else { return }
            for key in mapping.keys.sorted() {
                let keyPath = path + [_ConfigKey(key)]
                guard known.contains(key) else {
                    throw JetModelsError.unknownKey(path: Self.dotted(keyPath), file: file, known: known)
                }
                try rejectUnknownKeys(in: mapping[key]!, at: keyPath, log: log)
            }
        } else if let list = node as? [Any] {
            for (index, element) in list.enumerated() {
                try rejectUnknownKeys(in: element, at: path + [_ConfigKey(index: index)], log: log)
            }
        }
    }

    /// A decoding failure as a ``JetModelsError`` naming the key path and the file.
    private func describe(_ error: Error) -> Error {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return JetModelsError.missingKey(path: Self.dotted(context.codingPath + [key]), file: file)
        case DecodingError.typeMismatch(let type, let context), DecodingError.valueNotFound(let type, let context):
            return JetModelsError.invalidValue(
                path: Self.dotted(context.codingPath), file: file, expected: "expected \(Self.typeName(type))")
        case DecodingError.dataCorrupted(let context):
            let names = context.codingPath.map(\.stringValue)
            let allowed = Self.choices[names.suffix(2).joined(separator: ".")] ?? Self.choices[names.last ?? ""]
            let expected = allowed.map { "expected one of \($0.joined(separator: ", "))" } ?? context.debugDescription
            return JetModelsError.invalidValue(path: Self.dotted(context.codingPath), file: file, expected: expected)
        default:
            return error
        }
    }

    /// The allowed values of the config's enumerated keys, by key name (or parent.key where names repeat).
    static let choices: [String: [String]] = [
        "model.kind": ModelArchitecture.Kind.allCases.map(\.rawValue),
        "schedule.kind": ScheduleConfig.Kind.allCases.map(\.rawValue),
        "layout.kind": ["compound", "columns", "dense", "pandas"],
        "optimizer": TrainingConfig.OptimizerKind.allCases.map(\.rawValue),
        "pooling": DeepSetsConfig.Pooling.allCases.map(\.rawValue),
        "method": ["none", "weighting", "pdf", "count"],
        "outOfRange": ["error", "clamp"],
        "standardizationSource": StandardizationSource.allCases.map(\.rawValue),
    ]

    /// `a.b[2].c`; "(top level)" for the empty path.
    static func dotted(_ path: [CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text.isEmpty ? "(top level)" : text
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is any FixedWidthInteger.Type: "an integer"
        case is any BinaryFloatingPoint.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        case is [Any].Type: "a list"
        case is [String: Any].Type: "a mapping"
        default: "a value of type \(type)"
        }
    }
}
