import Foundation

/// Helpers that check a parsed config document against what the Codable sections understood, and turn
/// decoding failures into ``JetModelsError``s with dotted key paths.
enum ConfigTree {
    /// Throws for the first key of `mapping` not in `known`.
    static func rejectUnknownKeys(of mapping: [String: Any], known: [String], path: String, file: String) throws {
        for key in mapping.keys.sorted() where !known.contains(key) {
            throw JetModelsError.unknownKey(path: path + key, file: file, known: known)
        }
    }

    /// Compares what the user wrote with the decoded config encoded again: a key written (with a non-null
    /// value) that the encoding lacks was not understood by any section. Only mappings present in both
    /// trees are compared (shorthand forms such as a variable given by name are accepted as they are).
    static func rejectUnknownKeys(written: Any, understood: Any, path: String, file: String) throws {
        if let mapping = written as? [String: Any], let known = understood as? [String: Any] {
            for key in mapping.keys.sorted() {
                let value = mapping[key]!
                if value is NSNull { continue }
                guard let counterpart = known[key] else {
                    throw JetModelsError.unknownKey(path: path + key, file: file, known: known.keys.sorted())
                }
                try rejectUnknownKeys(written: value, understood: counterpart, path: path + key + ".", file: file)
            }
        } else if let list = written as? [Any], let knownList = understood as? [Any], list.count == knownList.count {
            let base = path.hasSuffix(".") ? String(path.dropLast()) : path
            for (index, (value, counterpart)) in zip(list, knownList).enumerated() {
                try rejectUnknownKeys(written: value, understood: counterpart, path: "\(base)[\(index)].", file: file)
            }
        }
    }

    /// A decoding failure as a ``JetModelsError`` naming the key path; `model` is the model kind, for keys
    /// the model configs reject themselves.
    static func describe(_ error: Error, file: String, model: String?) -> Error {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return JetModelsError.missingKey(path: dotted(context.codingPath + [key]), file: file)
        case DecodingError.typeMismatch(let type, let context), DecodingError.valueNotFound(let type, let context):
            return JetModelsError.invalidValue(
                path: dotted(context.codingPath), file: file, expected: "expected \(typeName(type))")
        case DecodingError.dataCorrupted(let context):
            let names = context.codingPath.map(\.stringValue)
            let allowed = choices[names.suffix(2).joined(separator: ".")] ?? choices[names.last ?? ""]
            let expected = allowed.map { "expected one of \($0.joined(separator: ", "))" } ?? context.debugDescription
            return JetModelsError.invalidValue(path: dotted(context.codingPath), file: file, expected: expected)
        case JetModelsError.unknownConfigKey(_, let key, let known):
            return JetModelsError.unknownKey(path: "model.\(model ?? "?").\(key)", file: file, known: known)
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
    ]

    private static func dotted(_ path: [CodingKey]) -> String {
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
        case is Int.Type, is UInt64.Type, is Int32.Type: "an integer"
        case is Float.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        case is [Any].Type: "a list"
        case is [String: Any].Type: "a mapping"
        default: "a value of type \(type)"
        }
    }
}
