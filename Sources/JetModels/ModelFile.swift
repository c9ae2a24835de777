import Foundation
import JetData
import JetFeatures
import JetNN

/// The self-contained model file (docs/DESIGN.md section 5): one HDF5 file with every parameter and running
/// statistic as a float32 dataset, and as string attributes of the root everything `predict` needs.
///
/// Datasets: `parameters/<name>` (JetNN's entry names, e.g. `parameters/constituent.0.weight` [out, in]) for
/// one model; `members/<i>/<name>` for the k models of k-fold training or a seed ensemble; for a reweighting run
/// with `reweighting.bootstrap`, `bootstrap/<r>/<i>/<name>` for member i of bootstrap replica r.
/// Attributes: `format` ("jettag-model"), `format_version`, `code_version`, `tagger`, `architecture`
/// (JSON of ``ModelArchitecture``), `features` (JSON of the fitted `FeatureSpec`), `class_names` (JSON
/// list), `combination` (JSON of ``MemberCombination``), `training_config` (JSON of the ``RunConfig``), for a
/// reweighting run's classifier `reweighting` (JSON of ``ReweightingInfo``), and for checkpoints
/// `training_state` (JSON of ``TrainingState``) with the optimizer's state as datasets `optimizer/<name>`
/// (JetNN's `exportState()` names, e.g. `optimizer/first_moment`), and `kind` (``Kind``: `tagger` or
/// `reweighter`), and for a fine-tuned model `parent` (JSON of ``ParentModel``: the path and SHA-256 of the model
/// file it started from), and for a calibrated tagger `calibration` (JSON of ``TemperatureCalibration``; a file
/// without it is uncalibrated, T = 1).
public struct ModelFile: Sendable {
    /// What a model file is for, and so which commands take it.
    public enum Kind: String, Sendable, Codable {
        /// A tagger of `jettag train`: `predict`, `evaluate`, `saliency`.
        case tagger
        /// The classifier of `jettag reweight train`: `reweight apply`, `reweight closure`.
        case reweighter

        /// The commands that take this kind of model.
        public var commands: String {
            switch self {
            case .tagger: "jettag predict, evaluate or saliency"
            case .reweighter: "jettag reweight apply or reweight closure"
            }
        }
    }

    public static let format = "jettag-model"
    public static let formatVersion = 1
    /// The JetTag version written into every file.
    public static let codeVersion = "0.1.0"

    public var tagger: String
    public var architecture: ModelArchitecture
    public var features: FeatureSpec
    public var classNames: [String]
    public var combination: MemberCombination
    /// One tensor list per member model.
    public var members: [[NamedTensor]]
    /// A reweighting run's bootstrap replicas (``ReweightingConfig/Options/bootstrap``): per replica, one tensor
    /// list per member (as many as the nominal's); empty otherwise.
    public var bootstrapReplicas: [[[NamedTensor]]] = []
    /// The run config the model was trained with.
    public var trainingConfig: RunConfig
    /// The density-ratio settings of a reweighting run's classifier; nil for a tagger.
    public var reweighting: ReweightingInfo?
    /// The `kind` attribute of a file read from disk; nil for a file written before the attribute existed (or a
    /// model file made in memory).
    public var declaredKind: Kind?
    /// Resume state of a checkpoint; nil for a finished model.
    public var trainingState: TrainingState?
    /// The optimizer's state of a checkpoint (empty otherwise).
    public var optimizerState: [NamedTensor]
    /// The model file a fine-tuned model started from (`training.initFrom`); nil for a model trained from scratch.
    public var parent: ParentModel?
    /// The temperature scaling `jettag calibrate` fitted; nil for an uncalibrated model.
    public var calibration: TemperatureCalibration?

    public init(
        tagger: String, architecture: ModelArchitecture, features: FeatureSpec, classNames: [String],
        combination: MemberCombination = .single, members: [[NamedTensor]], trainingConfig: RunConfig,
        reweighting: ReweightingInfo? = nil, trainingState: TrainingState? = nil, optimizerState: [NamedTensor] = [],
        parent: ParentModel? = nil, calibration: TemperatureCalibration? = nil
    ) {
        self.tagger = tagger
        self.architecture = architecture
        self.features = features
        self.classNames = classNames
        self.combination = combination
        self.members = members
        self.trainingConfig = trainingConfig
        self.reweighting = reweighting
        self.trainingState = trainingState
        self.optimizerState = optimizerState
        self.parent = parent
        self.calibration = calibration
    }

    /// Writes the file atomically (temporary name, renamed when complete).
    ///
    /// - Throws: ``JetModelsError/nonFiniteParameter(file:tensor:index:value:)`` before writing anything when
    ///   a parameter or optimizer state holds NaN or infinity.
    public func write(to path: String) throws {
        precondition(
            members.count == combination.memberCount,
            "ModelFile: \(members.count) member tensor lists for combination \(combination)")
        for tensors in members + bootstrapReplicas.joined() { try Self.checkFinite(tensors, file: path) }
        try Self.checkFinite(optimizerState, file: path, group: "optimizer/")
        let writer = try HDF5FileWriter(path: path)
        for (index, tensors) in members.enumerated() {
            // The groups `read(from:)` looks in: decided by the combination, so a one-model ensemble is members/0.
            let group = combination == .single ? "parameters" : "members/\(index)"
            for tensor in tensors {
                try writer.writeFloats(tensor.values, shape: tensor.shape, to: "\(group)/\(tensor.name)")
            }
        }
        for (replica, replicaMembers) in bootstrapReplicas.enumerated() {
            for (index, tensors) in replicaMembers.enumerated() {
                for tensor in tensors {
                    try writer.writeFloats(tensor.values, shape: tensor.shape, to: "bootstrap/\(replica)/\(index)/\(tensor.name)")
                }
            }
        }
        for tensor in optimizerState {
            try writer.writeFloats(tensor.values, shape: tensor.shape, to: "optimizer/\(tensor.name)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func json<Value: Encodable>(_ value: Value) throws -> String {
            String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        var attributes = [
            "format": Self.format, "format_version": "\(Self.formatVersion)", "code_version": Self.codeVersion,
            "tagger": tagger, "architecture": try json(architecture), "features": try json(features),
            "class_names": try json(classNames), "combination": try json(combination),
            "training_config": try json(trainingConfig),
        ]
        attributes["kind"] = (reweighting == nil ? Kind.tagger : .reweighter).rawValue
        if let reweighting { attributes["reweighting"] = try json(reweighting) }
        if let trainingState { attributes["training_state"] = try json(trainingState) }
        if let parent { attributes["parent"] = try json(parent) }
        if let calibration { attributes["calibration"] = try json(calibration) }
        for (name, value) in attributes.sorted(by: { $0.key < $1.key }) { try writer.setAttribute(value, named: name) }
        try writer.commit()
    }

    /// Reads a file written by ``write(to:)``, decoding every attribute once.
    ///
    /// - Throws: ``JetModelsError/invalidModelFile(file:reason:)`` for a file of another format or version,
    ///   or with a missing or malformed attribute; `JetDataError` when it cannot be read.
    public static func read(from path: String) throws -> ModelFile {
        let file = try HDF5File(readingAt: path)
        func attribute(_ name: String) throws -> String {
            guard let value = try file.stringAttribute(name)?.first else {
                throw JetModelsError.invalidModelFile(file: path, reason: "attribute '\(name)' is missing")
            }
            return value
        }
        func decoded<Value: Decodable>(_ type: Value.Type, _ name: String) throws -> Value {
            do {
                return try JSONDecoder().decode(type, from: Data(try attribute(name).utf8))
            } catch let error as JetModelsError {
                throw error
            } catch {
                throw JetModelsError.invalidModelFile(
                    file: path, reason: "attribute '\(name)' does not decode: \(error)")
            }
        }
        func optional<Value: Decodable>(_ type: Value.Type, _ name: String) throws -> Value? {
            try file.stringAttribute(name) == nil ? nil : decoded(type, name)
        }
        guard try attribute("format") == format else {
            throw JetModelsError.invalidModelFile(file: path, reason: "attribute 'format' is not '\(format)'")
        }
        guard let version = Int(try attribute("format_version")), version <= formatVersion else {
            throw JetModelsError.invalidModelFile(
                file: path,
                reason:
                    "format version \(try attribute("format_version")) is newer than this JetTag reads (\(formatVersion))"
            )
        }
        let combination = try decoded(MemberCombination.self, "combination")
        let names = file.datasetNames()
        let groups = combination == .single ? ["/parameters/"] : (0..<combination.memberCount).map { "/members/\($0)/" }
        func tensors(under group: String) throws -> [NamedTensor] {
            try names.filter { $0.hasPrefix(group) }.map { name in
                let (shape, values) = try file.readFloats(name)
                return NamedTensor(name: String(name.dropFirst(group.count)), shape: shape, values: values)
            }
        }
        let members = try groups.map(tensors(under:))
        for (group, tensors) in zip(groups, members) { try checkFinite(tensors, file: path, group: group) }
        let declaredKind = try file.stringAttribute("kind").map { _ in
            guard let kind = Kind(rawValue: try attribute("kind")) else {
                throw JetModelsError.invalidModelFile(file: path, reason: "attribute 'kind' is not tagger or reweighter")
            }
            return kind
        }
        var model = ModelFile(
            tagger: try attribute("tagger"), architecture: try decoded(ModelArchitecture.self, "architecture"),
            features: try decoded(FeatureSpec.self, "features"), classNames: try decoded([String].self, "class_names"),
            combination: combination, members: members, trainingConfig: try decoded(RunConfig.self, "training_config"),
            reweighting: try optional(ReweightingInfo.self, "reweighting"),
            trainingState: try optional(TrainingState.self, "training_state"),
            optimizerState: try tensors(under: "/optimizer/"), parent: try optional(ParentModel.self, "parent"),
            calibration: try optional(TemperatureCalibration.self, "calibration"))
        model.declaredKind = declaredKind
        model.bootstrapReplicas = try bootstrapGroups(names).map { try $0.map(tensors(under:)) }
        for (replica, tensors) in model.bootstrapReplicas.enumerated() {
            for (index, member) in tensors.enumerated() { try checkFinite(member, file: path, group: "/bootstrap/\(replica)/\(index)/") }
        }
        return model
    }

    /// The groups `/bootstrap/<r>/<i>/` among the dataset `names`, by replica r then member i (both from 0).
    private static func bootstrapGroups(_ names: [String]) -> [[String]] {
        var members: [Int: Set<Int>] = [:]
        for name in names where name.hasPrefix("/bootstrap/") {
            let parts = name.split(separator: "/")
            guard parts.count >= 4, let replica = Int(parts[1]), let member = Int(parts[2]) else { continue }
            members[replica, default: []].insert(member)
        }
        return members.keys.sorted().map { replica in
            members[replica]!.sorted().map { "/bootstrap/\(replica)/\($0)/" }
        }
    }

    /// What the file at `path` (this file) is: its `kind` attribute; for a file older than the attribute, a
    /// reweighter when it has reweighting info (the attribute, or ``ReweightingInfo/legacyFileName`` beside it).
    public func kind(path: String) -> Kind {
        if let declaredKind { return declaredKind }
        let legacy = URL(fileURLWithPath: path).deletingLastPathComponent()
            .appendingPathComponent(ReweightingInfo.legacyFileName).path
        return reweighting != nil || FileManager.default.fileExists(atPath: legacy) ? .reweighter : .tagger
    }

    /// Throws ``JetModelsError/wrongModelKind(file:kind:command:use:)`` unless the file at `path` is a `kind` model.
    ///
    /// - Parameter command: the command that needs it, e.g. "jettag predict".
    public func require(_ kind: Kind, path: String, command: String) throws {
        let actual = self.kind(path: path)
        guard actual == kind else {
            throw JetModelsError.wrongModelKind(file: path, kind: actual.rawValue, command: command, use: actual.commands)
        }
    }

    /// Throws for the first non-finite value of `tensors` (named `group` + name).
    private static func checkFinite(_ tensors: [NamedTensor], file: String, group: String = "") throws {
        for tensor in tensors {
            if let index = tensor.values.firstIndex(where: { !$0.isFinite }) {
                throw JetModelsError.nonFiniteParameter(
                    file: file, tensor: group + tensor.name, index: index, value: tensor.values[index])
            }
        }
    }

    /// The member models with their parameters loaded.
    public func makeModels() throws -> [any JetModel] {
        try members.map { tensors in
            var model = try architecture.makeModel(seed: 0)
            try model.load(tensors)
            return model
        }
    }
}
