import ArgumentParser
import Foundation
import JetModels
import Yams

/// Reads a YAML config (a run config or a reweighting config) into the Foundation tree their `load(tree:file:)`
/// take, applying `--set key.path=value` overrides first (values are parsed as YAML scalars or flow collections).
enum ConfigFile {
    static func load(path: String, overrides: [String]) throws -> RunConfig {
        try RunConfig.load(tree: tree(path: path, overrides: overrides), file: path)
    }

    static func tree(path: String, overrides: [String]) throws -> [String: Any] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read the config file \(path)")
        }
        var tree = try parse(text, origin: path) as? [String: Any] ?? [:]
        for assignment in overrides {
            guard let equals = assignment.firstIndex(of: "=") else {
                throw JetModelsError.invalidOverride("'\(assignment)' is not of the form key.path=value")
            }
            let value = try parse(String(assignment[assignment.index(after: equals)...]), origin: "--set \(assignment)")
            try RunConfig.applyOverride(path: String(assignment[..<equals]), value: value, to: &tree)
        }
        return tree
    }

    /// A YAML document as dictionaries, arrays, Int, Double, Bool, String and NSNull.
    static func parse(_ text: String, origin: String) throws -> Any {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ValidationError("\(origin): not valid YAML: \(error)")
        }
        guard let node else { return NSNull() }
        return try foundationValue(node, origin: origin)
    }

    private static func foundationValue(_ node: Node, origin: String) throws -> Any {
        switch node {
        case .mapping(let mapping):
            var result: [String: Any] = [:]
            for (key, value) in mapping {
                guard let name = key.string else { throw ValidationError("\(origin): mapping keys must be strings") }
                guard result[name] == nil else { throw ValidationError("\(origin): key '\(name)' appears twice") }
                result[name] = try foundationValue(value, origin: origin)
            }
            return result
        case .sequence(let sequence):
            return try sequence.map { try foundationValue($0, origin: origin) }
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
