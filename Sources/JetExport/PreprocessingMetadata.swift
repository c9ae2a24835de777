import Foundation
import JetFeatures
import JetModels

/// What a user must do to jets before the exported graph: written as weaver's `preprocess.json` (the file CMSSW's
/// ONNX jet-tag producers read) beside the `.onnx` file, and as the ONNX `metadata_props` entries.
///
/// The weaver layout: `input_names`, `output_names` (the class names), and per input a group with `var_names`
/// (in order), `var_length` (= `max_length`, the constituent slots; 1 for per-jet groups), `min_length` and
/// `var_infos` per variable: `median` (centre), `norm_factor` (scale), `lower_bound`/`upper_bound` (the clip,
/// +-1e32 when none), `pad` and `replace_inf_value`, meaning `clip((x - median) * norm_factor, lower_bound,
/// upper_bound)` for real entries and `pad` for padding. With the standardisation in the graph the infos are the
/// identity (median 0, norm_factor 1, no bounds) and the raw variables go in. A `jettag` key adds what weaver's
/// layout has no place for (the standardisation itself, the ordering, the classes, the combination).
struct PreprocessingMetadata {
    let file: ModelFile
    let includePreprocessing: Bool
    /// The graph's input names, in order.
    let inputs: [String]

    /// weaver's bound for "no clipping".
    private static let noBound: Float = 1e32

    private struct VariableInfo: Encodable {
        var median: Float
        var norm_factor: Float
        var replace_inf_value: Float
        var lower_bound: Float
        var upper_bound: Float
        var pad: Float
    }

    private struct Group: Encodable {
        var var_names: [String]
        var var_length: Int
        var min_length: Int
        var max_length: Int
        var var_infos: [String: VariableInfo]
    }

    /// JetTag's own description of the inputs, with the fitted standardisation whether or not the graph applies it.
    private struct JetTagSection: Encodable {
        var jettag_version: String
        var tagger: String
        var model_kind: String
        var class_names: [String]
        var combination: MemberCombination
        var standardization_in_graph: Bool
        var max_constituents: Int
        var constituent_ordering: String
        var padding: String
        var constituent_variables: [VariableSpec]
        var jet_variables: [VariableSpec]
        var inputs: [String: String]
        var outputs: [String: String]
    }

    private func group(_ variables: [VariableSpec], length: Int, minLength: Int) -> Group {
        var infos: [String: VariableInfo] = [:]
        for variable in variables {
            infos[variable.name] = includePreprocessing
                ? VariableInfo(
                    median: 0, norm_factor: 1, replace_inf_value: 0, lower_bound: -Self.noBound, upper_bound: Self.noBound,
                    pad: variable.padValue)
                : VariableInfo(
                    median: variable.subtractBy ?? 0, norm_factor: variable.multiplyBy ?? 1, replace_inf_value: 0,
                    lower_bound: variable.clipMin ?? -Self.noBound, upper_bound: variable.clipMax ?? Self.noBound,
                    pad: variable.padValue)
        }
        return Group(var_names: variables.map(\.name), var_length: length, min_length: minLength, max_length: length, var_infos: infos)
    }

    private var jetTag: JetTagSection {
        let features = file.features
        var inputDescriptions: [String: String] = [:]
        for name in inputs {
            switch name {
            case ONNXExport.Name.constituents:
                inputDescriptions[name] = "float32 [N, \(features.constituentVariables.count), P], P <= \(features.maxConstituents): constituent_variables in order"
            case ONNXExport.Name.mask: inputDescriptions[name] = "float32 [N, 1, P]: 1 for a constituent, 0 for padding"
            case ONNXExport.Name.jetFeatures: inputDescriptions[name] = "float32 [N, \(features.jetVariables.count)]: jet_variables in order"
            case ONNXExport.Name.eventNumber: inputDescriptions[name] = "int64 [N]: the jet's event number; fold = event_number mod k picks the member that did not train on it"
            default: break
            }
        }
        var outputs = [
            ONNXExport.Name.probabilities: "float32 [N, \(file.classNames.count)]: class probabilities in class_names order (jettag predict's <tagger>_p<class>)",
            ONNXExport.Name.logits: file.classNames.count == 2
                ? "float32 [N, 1]: the logit of class \(file.classNames[1]) (probability = sigmoid)"
                : "float32 [N, \(file.classNames.count)]: logits (probabilities = softmax)",
        ]
        if case .ensemble = file.combination {
            outputs[ONNXExport.Name.spread] = "float32 [N, \(file.classNames.count)]: the members' standard deviation (jettag predict's _std)"
            outputs[ONNXExport.Name.logits]! += "; the members' mean logit"
        }
        return JetTagSection(
            jettag_version: ModelFile.codeVersion, tagger: file.tagger, model_kind: file.architecture.kind.rawValue,
            class_names: file.classNames, combination: file.combination, standardization_in_graph: includePreprocessing,
            max_constituents: features.maxConstituents,
            constituent_ordering: "as stored in the input (JetTag's inputs are pt-descending); the first max_constituents are kept",
            padding: "valid constituents first, then padding slots (mask 0) up to P; padding values are ignored by the graph",
            constituent_variables: features.constituentVariables, jet_variables: features.jetVariables,
            inputs: inputDescriptions, outputs: outputs)
    }

    private static func json(_ value: some Encodable, pretty: Bool = true) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    /// `preprocess.json` in weaver's layout, with the `jettag` section.
    func weaverJSON() -> String {
        var groups: [String: Group] = [:]
        let features = file.features
        for name in inputs {
            switch name {
            case ONNXExport.Name.constituents:
                groups[name] = group(features.constituentVariables, length: features.maxConstituents, minLength: 1)
            case ONNXExport.Name.mask:
                groups[name] = group([VariableSpec("pf_mask", subtractBy: 0, multiplyBy: 1, clipMin: nil, clipMax: nil)],
                                     length: features.maxConstituents, minLength: 1)
            case ONNXExport.Name.jetFeatures: groups[name] = group(features.jetVariables, length: 1, minLength: 1)
            default: break
            }
        }
        struct Document: Encodable {
            var input_names: [String]
            var output_names: [String]
            var groups: [String: Group]
            var jettag: JetTagSection

            private struct Key: CodingKey {
                var stringValue: String
                var intValue: Int? { nil }
                init(stringValue: String) { self.stringValue = stringValue }
                init?(intValue: Int) { nil }
            }

            func encode(to encoder: Encoder) throws {
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(input_names, forKey: Key(stringValue: "input_names"))
                try container.encode(output_names, forKey: Key(stringValue: "output_names"))
                for (name, group) in groups { try container.encode(group, forKey: Key(stringValue: name)) }
                try container.encode(jettag, forKey: Key(stringValue: "jettag"))
            }
        }
        return Self.json(Document(input_names: inputs, output_names: file.classNames, groups: groups, jettag: jetTag)) + "\n"
    }

    /// The `metadata_props` entries: `jettag` (JetTag's section as JSON), `preprocess_json` (weaver's file) and
    /// plain `tagger`, `class_names` (JSON), `jettag_version`, `standardization_in_graph`, and for a calibrated
    /// model `temperature` (the graph divides the logits by it).
    func metadata(preprocessJSON: String) -> [ONNXMetadataEntry] {
        [
            ONNXMetadataEntry(key: "tagger", value: file.tagger),
            ONNXMetadataEntry(key: "class_names", value: Self.json(file.classNames, pretty: false)),
            ONNXMetadataEntry(key: "jettag_version", value: ModelFile.codeVersion),
            ONNXMetadataEntry(key: "standardization_in_graph", value: includePreprocessing ? "true" : "false"),
            ONNXMetadataEntry(key: "jettag", value: Self.json(jetTag)),
            ONNXMetadataEntry(key: "preprocess_json", value: preprocessJSON),
        ] + (file.calibration.map { [ONNXMetadataEntry(key: "temperature", value: "\($0.temperature)")] } ?? [])
    }
}
