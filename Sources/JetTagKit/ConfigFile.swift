import Foundation
import JetModels
import Yams

/// A YAML config file (a run config or a reweighting config) as the Foundation tree their `load(tree:file:)`
/// take: dictionaries with string keys, arrays, Int, Double, Bool, String and NSNull, with `--set key.path=value`
/// overrides applied (each value parsed as a YAML scalar or flow collection, e.g. `data.files=[a.h5, b.h5]`).
///
/// ```swift
/// let config = try RunConfig.load(path: "Configs/quickstart.yaml", overrides: ["training.epochs=3"])
/// ```
public enum ConfigFile {
    /// The document of the file at `path` with `overrides` (`key.path=value`) applied in order.
    ///
    /// - Throws: ``JetTagKitError`` for an unreadable file, YAML that does not parse, a repeated or non-string
    ///   key, and an override without `=` or through a value that is not a mapping.
    public static func tree(path: String, overrides: [String] = []) throws(JetTagKitError) -> [String: Any] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .unreadableConfigFile(path: path)
        }
        var tree = try parse(text, origin: path) as? [String: Any] ?? [:]
        for assignment in overrides {
            guard let equals = assignment.firstIndex(of: "=") else {
                throw .invalidOverride(text: assignment, reason: "is not of the form key.path=value")
            }
            let value = try parse(String(assignment[assignment.index(after: equals)...]), origin: "--set \(assignment)")
            try applyOverride(path: String(assignment[..<equals]), value: value, to: &tree)
        }
        return tree
    }

    /// A YAML document as dictionaries, arrays, Int, Double, Bool, String and NSNull (NSNull for an empty one).
    ///
    /// - Parameter origin: the file or option the text came from, named in every error.
    public static func parse(_ text: String, origin: String) throws(JetTagKitError) -> Any {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw .invalidYAML(origin: origin, reason: "\(error)")
        }
        guard let node else { return NSNull() }
        return try foundationValue(node, origin: origin)
    }

    /// Sets the value at a dotted key path (`training.epochs`), creating mappings on the way: what
    /// `--set training.epochs=3` does before the config is decoded.
    public static func applyOverride(path: String, value: Any, to tree: inout [String: Any]) throws(JetTagKitError) {
        let keys = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !keys.isEmpty, !keys.contains(where: \.isEmpty) else {
            throw .invalidOverride(text: path, reason: "is not a dotted key path such as training.epochs")
        }
        func set(_ keys: ArraySlice<String>, in node: inout [String: Any], prefix: String) throws(JetTagKitError) {
            let key = keys.first!
            guard keys.count > 1 else {
                node[key] = value
                return
            }
            var child: [String: Any]
            switch node[key] {
            case nil, is NSNull: child = [:]
            case let mapping as [String: Any]: child = mapping
            default: throw .invalidOverride(text: prefix + key, reason: "is not a mapping, so '\(path)' cannot be set")
            }
            try set(keys.dropFirst(), in: &child, prefix: prefix + key + ".")
            node[key] = child
        }
        try set(keys[...], in: &tree, prefix: "")
    }

    /// The tree as a YAML document with sorted keys, which ``parse(_:origin:)`` reads back to the same tree.
    public static func yaml(_ tree: [String: Any]) throws -> String {
        try Yams.dump(object: tree, sortKeys: true)
    }

    private static func foundationValue(_ node: Node, origin: String) throws(JetTagKitError) -> Any {
        switch node {
        case .mapping(let mapping):
            var result: [String: Any] = [:]
            for (key, value) in mapping {
                guard let name = key.string else { throw .nonStringKey(origin: origin) }
                guard result[name] == nil else { throw .duplicateKey(origin: origin, key: name) }
                result[name] = try foundationValue(value, origin: origin)
            }
            return result
        case .sequence(let sequence):
            var result: [Any] = []
            for element in sequence { result.append(try foundationValue(element, origin: origin)) }
            return result
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.description) {
            case .null: return NSNull()
            case .bool: return node.bool ?? scalar.string
            case .int: return node.int ?? scalar.string
            case .float: return node.float ?? scalar.string
            default: return scalar.string
            }
        }
    }
}

extension RunConfig {
    /// Reads the YAML run config at `path`, applying `--set` overrides (``ConfigFile``) before decoding.
    ///
    /// - Throws: ``JetTagKitError`` for the file and overrides, `JetModelsError` for keys and values.
    public static func load(path: String, overrides: [String] = []) throws -> RunConfig {
        try load(tree: ConfigFile.tree(path: path, overrides: overrides), file: path)
    }
}

extension ReweightingConfig {
    /// Reads the YAML reweighting config at `path`, applying `--set` overrides (``ConfigFile``) before decoding.
    ///
    /// - Throws: ``JetTagKitError`` for the file and overrides, `JetModelsError` for keys and values.
    public static func load(path: String, overrides: [String] = []) throws -> ReweightingConfig {
        try load(tree: ConfigFile.tree(path: path, overrides: overrides), file: path)
    }
}
