import Foundation
import JetCore
import JetFeatures
import JetNN

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The model a fine-tuned model started from: the path `training.initFrom` gave and the SHA-256 of that file
/// when the run read it (the `parent` attribute of a model file).
public struct ParentModel: Codable, Sendable, Equatable {
    public var path: String
    public var sha256: String

    public init(path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }
}

/// The start of a fine-tuning run (`training.initFrom`): the parent model file, checked against the run config,
/// and what the new model takes from it: every parameter but those of `training.initExclude` (matched by name
/// and shape), and with `features.standardizationSource: parent` the centres and scales the config leaves out.
///
/// The parent must be a finished single model (a `model.h5`, not the checkpoint `last.h5`, nor a k-fold or
/// ensemble file) of the same kind, with the same constituent and jet variables in the same order, the same
/// classes (unless the output layer is excluded), and for every parameter not excluded the same name and shape.
public struct FineTuning: Sendable {
    /// The parent model file.
    public let parent: ModelFile
    /// Its path and SHA-256, recorded in the new model file.
    public let provenance: ParentModel
    /// The names of the parameters that keep their fresh initialisation.
    public let excluded: Set<String>

    /// Reads `training.initFrom` and checks it against `config` (whose class names are resolved, see
    /// ``RunConfig/resolvingClassNames()``); nil when the config has no `initFrom`.
    ///
    /// - Throws: ``JetModelsError/unusableParent(parent:reason:)``, ``JetModelsError/parentMismatch(parent:what:parentValue:configValue:hint:)``
    ///   naming what differs, ``JetModelsError/unmatchedPattern(key:pattern:parameters:)``, and the errors of
    ///   ``ModelFile/read(from:)``.
    public init?(config: RunConfig) throws {
        guard let path = config.training.initFrom else { return nil }
        let parent = try ModelFile.read(from: path)
        func unusable(_ reason: String) -> JetModelsError { .unusableParent(parent: path, reason: reason) }
        guard parent.trainingState == nil else {
            throw unusable(
                "it is a checkpoint (last.h5: the latest epoch of a run, not its best); start from that run's "
                    + "model.h5, or continue the run itself with jettag train --resume")
        }
        guard parent.kind(path: path) == .tagger else {
            throw unusable("it is the classifier of a reweighting run, not a tagger")
        }
        guard parent.combination == .single else {
            throw unusable(
                "it combines \(parent.combination.memberCount) models (\(parent.combination)); start from one of "
                    + "them, e.g. RUN/fold0/model.h5 or RUN/member0/model.h5")
        }
        func mismatch(_ what: String, _ parentValue: String, _ configValue: String, _ hint: String) -> JetModelsError {
            .parentMismatch(parent: path, what: what, parentValue: parentValue, configValue: configValue, hint: hint)
        }
        guard parent.architecture.kind == config.model.kind else {
            throw mismatch(
                "model.kind", parent.architecture.kind.rawValue, config.model.kind.rawValue,
                "fine-tuning keeps the architecture of the parent")
        }
        for (key, inParent, inConfig) in [
            ("features.constituentVariables", parent.features.constituentVariables, config.features.constituentVariables),
            ("features.jetVariables", parent.features.jetVariables, config.features.jetVariables),
        ] where inParent.map(\.name) != inConfig.map(\.name) {
            throw mismatch(
                key, "[\(inParent.map(\.name).joined(separator: ", "))]",
                "[\(inConfig.map(\.name).joined(separator: ", "))]",
                "the transferred network reads its inputs by position: list the parent's variables in its order")
        }
        let model = try config.model.makeModel(seed: config.training.seed)
        let entries = model.parameters.entries
        let tensors = parent.members[0]
        let excluded = try Self.matching(
            config.training.initExclude, key: "training.initExclude",
            names: entries.map(\.name) + tensors.map(\.name).filter { model.parameters.entry(named: $0) == nil })
        let outputLayer = Self.outputLayer(of: entries.map(\.name))
        if parent.classNames != config.classNames, !outputLayer.isSubset(of: excluded) {
            throw mismatch(
                "classes", "[\(parent.classNames.joined(separator: ", "))]",
                "[\(config.classNames.joined(separator: ", "))]",
                "other classes need a new output layer: add its parameters to training.initExclude "
                    + "(\(outputLayer.sorted().joined(separator: ", ")))")
        }
        let exclude = "exclude it with training.initExclude to keep its fresh initialisation"
        for entry in entries where !excluded.contains(entry.name) {
            guard let tensor = tensors.first(where: { $0.name == entry.name }) else {
                throw mismatch("parameter '\(entry.name)'", "absent", "shape \(entry.shape)", exclude)
            }
            guard tensor.shape == entry.shape else {
                throw mismatch(
                    "the shape of parameter '\(entry.name)'", "\(tensor.shape)", "\(entry.shape)",
                    "fine-tuning keeps the layer sizes of the parent, or \(exclude)")
            }
        }
        for tensor in tensors where !excluded.contains(tensor.name) && model.parameters.entry(named: tensor.name) == nil {
            throw mismatch(
                "parameter '\(tensor.name)'", "shape \(tensor.shape)", "absent",
                "the config's model has no such layer; exclude it with training.initExclude if that is meant")
        }
        self.parent = parent
        self.excluded = excluded
        provenance = ParentModel(path: path, sha256: try SHA256.hexDigest(ofFileAt: path))
    }

    /// `model` with the parent's values in every parameter but the excluded ones (a model of the config
    /// ``init(config:)`` checked).
    public func initialize(_ model: inout any JetModel) throws {
        try model.load(
            parent.members[0].filter { !excluded.contains($0.name) }
                + model.exportTensors().filter { excluded.contains($0.name) })
    }

    /// `features` (the config's) with the parent's centre and scale for every variable that writes neither, with
    /// `features.standardizationSource: parent`; unchanged with `refit`.
    public func features(_ features: FeatureSpec) -> FeatureSpec {
        guard features.standardizationSource == .parent else { return features }
        func filled(_ variables: [VariableSpec], from fitted: [VariableSpec]) -> [VariableSpec] {
            zip(variables, fitted).map { variable, fitted in
                var variable = variable
                if variable.subtractBy == nil && variable.multiplyBy == nil {
                    (variable.subtractBy, variable.multiplyBy) = (fitted.subtractBy, fitted.multiplyBy)
                }
                return variable
            }
        }
        var result = features
        result.constituentVariables = filled(features.constituentVariables, from: parent.features.constituentVariables)
        result.jetVariables = filled(features.jetVariables, from: parent.features.jetVariables)
        return result
    }

    /// The names among `names` that the glob patterns (`fnmatch`: `*` also matches dots) match.
    ///
    /// - Throws: ``JetModelsError/unmatchedPattern(key:pattern:parameters:)`` for a pattern that matches none.
    static func matching(_ patterns: [String], key: String, names: [String]) throws -> Set<String> {
        var matched = Set<String>()
        for pattern in patterns {
            let hits = names.filter { fnmatch(pattern, $0, 0) == 0 }
            guard !hits.isEmpty else { throw JetModelsError.unmatchedPattern(key: key, pattern: pattern, parameters: names) }
            matched.formUnion(hits)
        }
        return matched
    }

    /// The parameters of a model's output layer: those sharing the last registered entry's layer prefix
    /// (`head.2.` of `head.2.bias`; every model registers its head's output layer last).
    static func outputLayer(of names: [String]) -> Set<String> {
        guard let last = names.last, let dot = last.lastIndex(of: ".") else { return [] }
        let prefix = last[...dot]
        return Set(names.filter { $0.hasPrefix(prefix) })
    }
}

extension TrainingConfig {
    /// The names of the parameters of `parameters` that `freeze` matches.
    ///
    /// - Throws: ``JetModelsError/unmatchedPattern(key:pattern:parameters:)`` for a pattern that matches none.
    func frozenNames(in parameters: Parameters) throws -> Set<String> {
        try FineTuning.matching(freeze, key: "training.freeze", names: parameters.entries.map(\.name))
    }
}
