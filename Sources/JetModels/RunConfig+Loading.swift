import Foundation
import JetData

extension RunConfig {
    /// Builds a config from a parsed YAML or JSON document (Foundation objects: dictionaries with string
    /// keys, arrays, numbers, booleans, strings, NSNull).
    ///
    /// Fills `model.<kind>.inputFeatures` (Deep Sets, CNN, ParticleNet), `jetFeatures` (Deep Sets, MLP, ParticleNet),
    /// ParticleNet's `coordinateColumns` from its `coordinates` and, when
    /// `data.classNames` is given, `classes` from the `features` and `data` sections, and the default constituent
    /// variables when `features` names none; decodes the sections with ``ConfigDecoder`` and checks every value.
    /// Opens no file: without `data.classNames`, ``resolvingClassNames()`` takes the class names from the data
    /// when a run opens it.
    /// - Parameter file: named in every error.
    /// - Throws: ``JetModelsError`` naming the dotted key path and `file` for unknown keys, wrong types,
    ///   missing keys and values out of range.
    public static func load(tree: Any, file: String) throws -> RunConfig {
        guard var root = tree as? [String: Any] else {
            throw JetModelsError.invalidValue(
                path: "(top level)", file: file, expected: "expected a mapping of sections")
        }
        let classCountGiven = try deriveModelSizes(in: &root, file: file)
        var config = try ConfigDecoder(file: file).decode(RunConfig.self, from: root)
        config.classCountGiven = classCountGiven
        try config.validate(file: file)
        return config
    }

    /// Writes the derived model sizes into `model.<kind>`, failing when the user wrote different ones; returns
    /// whether the class count is given (by `data.classNames` or a `classes` written in the chosen model).
    private static func deriveModelSizes(in root: inout [String: Any], file: String) throws -> Bool {
        var model = root["model"] as? [String: Any] ?? [:]
        let kind = model["kind"] as? String ?? ModelArchitecture.Kind.deepsets.rawValue
        model["kind"] = kind
        if var features = root["features"] as? [String: Any], features["constituentVariables"] == nil {
            features["constituentVariables"] = defaultFeatures.constituentVariables.map(\.name)
            root["features"] = features
        }
        let features = root["features"] as? [String: Any]
        let constituentCount =
            (features?["constituentVariables"] as? [Any])?.count ?? defaultFeatures.constituentVariables.count
        let jetCount = (features?["jetVariables"] as? [Any])?.count ?? 0
        let data = root["data"] as? [String: Any] ?? [:]
        var derived: [(String, Int)] = [("inputFeatures", constituentCount), ("jetFeatures", jetCount)]
        if let names = data["classNames"] as? [Any] { derived.append(("classes", names.count)) }
        let classCountGiven = data["classNames"] != nil || (model[kind] as? [String: Any])?["classes"] != nil
        guard ModelArchitecture.Kind(rawValue: kind) != nil else { return classCountGiven }
        for section in ModelArchitecture.Kind.allCases.map(\.rawValue) where section == kind || model[section] != nil {
            var options = model[section] as? [String: Any] ?? [:]
            for (key, value) in derived where ModelArchitecture.Kind(rawValue: section)!.derivedSizes.contains(key) {
                if let written = options[key] as? Int, written != value {
                    throw JetModelsError.invalidValue(
                        path: "model.\(section).\(key)", file: file,
                        expected:
                            "is \(written), but the features and classes of this config give \(value); leave it out")
                }
                options[key] = value
            }
            if section == ModelArchitecture.Kind.particlenet.rawValue {
                let columns = try ParticleNetConfig.coordinateColumns(
                    options["coordinates"], variables: features?["constituentVariables"] as? [Any], file: file)
                if let written = options["coordinateColumns"] as? [Int], written != columns {
                    throw JetModelsError.invalidValue(
                        path: "model.\(section).coordinateColumns", file: file,
                        expected: "is \(written), but the coordinates among the features give \(columns); leave it out")
                }
                options["coordinateColumns"] = columns
            }
            model[section] = options
        }
        root["model"] = model
        return classCountGiven
    }

    /// Range checks that the section types cannot express.
    func validate(file: String) throws {
        func check(_ condition: Bool, _ path: String, _ expected: String) throws {
            guard condition else { throw JetModelsError.invalidValue(path: path, file: file, expected: expected) }
        }
        try check(!data.files.isEmpty, "data.files", "expected at least one file or pattern")
        try check(data.readBatchSize > 0, "data.readBatchSize", "expected a positive integer")
        try check(data.shuffleBuffer > 0, "data.shuffleBuffer", "expected a positive integer")
        try check((data.maxJets ?? 1) > 0, "data.maxJets", "expected a positive integer")
        if let modulus = data.split.modulus {
            try check(modulus >= 2, "data.split.modulus", "expected 2 or more")
            try check(
                !data.split.validationFolds.isEmpty
                    && data.split.validationFolds.allSatisfy { (0..<modulus).contains($0) }
                    && data.split.validationFolds.count < modulus,
                "data.split.validationFolds", "expected some (not all) folds in 0..<\(modulus)")
        } else {
            try check(
                data.split.validationFraction > 0 && data.split.validationFraction < 1,
                "data.split.validationFraction", "expected a fraction in (0, 1)")
        }
        try check(
            !features.constituentVariables.isEmpty, "features.constituentVariables", "expected at least one variable")
        try check(features.maxConstituents > 0, "features.maxConstituents", "expected a positive integer")
        try check(training.learningRate > 0, "training.learningRate", "expected a positive number")
        try check(training.batchSize > 0, "training.batchSize", "expected a positive integer")
        try check(training.epochs > 0, "training.epochs", "expected a positive integer")
        try check(training.patience >= 0, "training.patience", "expected 0 (off) or a positive integer")
        try check(training.threads > 0, "training.threads", "expected a positive integer")
        try check((training.kfold ?? 3) >= 3, "training.kfold", "expected 3 or more (k - 2 folds train, one validates)")
        try check((training.ensemble ?? 1) >= 1, "training.ensemble", "expected a positive number of models")
        try check(
            training.kfold == nil || training.ensemble == nil, "training.ensemble",
            "cannot be combined with training.kfold")
        if let shards = training.dataShards {
            try check(shards >= 1, "training.dataShards", "expected a positive integer")
            try check(
                training.batchSize % shards == 0, "training.dataShards",
                "expected a divisor of training.batchSize (\(training.batchSize)): every step takes batchSize / dataShards jets from each shard")
        }
        try check(
            training.trainFraction > 0 && training.trainFraction <= 1, "training.trainFraction",
            "expected a fraction in (0, 1]")
        try check(training.divergenceFactor > 1, "training.divergenceFactor", "expected a number above 1")
        try check(training.preciseBatchNorm >= 0, "training.preciseBatchNorm", "expected 0 (off) or a number of batches")
        try check((training.gradientClip ?? 1) > 0, "training.gradientClip", "expected a positive number")
        try check(
            training.schedule.gamma > 0 && training.schedule.gamma < 1, "training.schedule.gamma",
            "expected a factor in (0, 1)")
        try check(training.schedule.stepEpochs > 0, "training.schedule.stepEpochs", "expected a positive integer")
        try check(
            training.initFrom != nil || training.initExclude.isEmpty, "training.initExclude",
            "needs training.initFrom (the model whose parameters it excludes)")
        try check(training.initFrom?.isEmpty != true, "training.initFrom", "expected the path of a model file")
        try model.validate(file: file)
        if model.kind == .transformer, let columns = model.transformer?.pairColumns {
            for (column, name) in zip(columns, ["deta", "dphi", "pt_log"]) {
                let variable = features.constituentVariables[column]
                try check(
                    variable.name == name && variable.subtractBy == 0 && variable.multiplyBy == 1 && variable.clipMin == nil
                        && variable.clipMax == nil, "model.transformer.pairColumns",
                    "expected features.constituentVariables[\(column)] to be \(name) unstandardised "
                        + "([\(name), 0, 1, null, null]), found \(variable.name)")
            }
        }
        if let names = data.classNames {
            try check(names.count == model.classes, "data.classNames", "expected \(model.classes) names, one per class")
        }
    }
}
