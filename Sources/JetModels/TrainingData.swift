import JetData
import JetFeatures

/// The training and validation jets of a run, loaded once into memory as network inputs, with the
/// feature spec whose standardisation was fitted on the training jets.
public struct TrainingData: Sendable {
    /// The spec with every centre and scale set (what the model file stores).
    public let features: FeatureSpec
    public let training: JetSet
    public let validation: JetSet

    /// Reads the config's files: fits the missing standardisation on the training split (real
    /// constituents only, streaming), then extracts both splits and applies the `weights` section. The labels
    /// are checked against `config.classNames` and the files' `label_names` (``ClassLabelMap``): give a config whose class names are resolved
    /// (``RunConfig/resolvingClassNames()``, as ``TrainingRun`` does).
    ///
    /// - Parameters:
    ///   - splits: overrides `config.data.split` (k-fold training).
    ///   - features: an already fitted spec to use instead of fitting (resuming a run).
    public static func load(
        config: RunConfig, splits: (training: JetSplit, validation: JetSplit)? = nil, features: FeatureSpec? = nil
    ) throws -> TrainingData {
        let (trainingSplit, validationSplit) = splits ?? config.data.split.splits
        let spec = try features ?? fittedFeatures(config: config, split: trainingSplit)
        let extractor = try FeatureExtractor(spec: spec)
        let training = try weighted(
            try extract(config: config, split: trainingSplit, extractor: extractor), config: config, part: "training")
        let validation = try weighted(
            try extract(config: config, split: validationSplit, extractor: extractor), config: config,
            part: "validation")
        return TrainingData(features: spec, training: training, validation: validation)
    }

    /// The config's feature spec with every missing centre and scale fitted on the jets of `split`
    /// (real constituents only, streaming, at most `data.maxJets` jets).
    public static func fittedFeatures(config: RunConfig, split: JetSplit) throws -> FeatureSpec {
        guard !config.features.isStandardized else { return config.features }
        var fitter = try StandardizationFitter(spec: config.features)
        try forEachBatch(config: config, split: split) { batch, files in try fitter.accumulate(batch, files: files) }
        return try fitter.fittedSpec()
    }

    /// The read options for the fields the config needs, restricted to `split`.
    static func readOptions(config: RunConfig, split: JetSplit?) throws -> JetReadOptions {
        var jetFields = config.features.requiredJetFields + [config.data.labelField]
        if config.weights.eventWeights { jetFields.append(config.data.weightField) }
        jetFields += config.weights.weighting.binning?.axes.map(\.field) ?? []
        return JetReadOptions(
            layout: config.data.layout, jetFields: jetFields.uniqued(),
            constituentFields: config.features.requiredConstituentFields,
            maxConstituents: config.features.maxConstituents,
            batchSize: config.data.readBatchSize, selection: try config.data.selection.map { try JetSelection($0) },
            split: split, threads: config.training.threads)
    }

    /// The stream of the config's files restricted to `split` (nil: all jets); a field missing from a file that a
    /// new variable reads is named with the variable, its expression and the position.
    static func openStream(config: RunConfig, split: JetSplit?) throws -> JetStream {
        do {
            return try JetStream(files: config.data.files, options: try readOptions(config: config, split: split))
        } catch let JetDataError.missingField(file, dataset, field, available) {
            throw config.features.missingExpressionField(field, file: file, available: available)
                ?? JetDataError.missingField(file: file, dataset: dataset, field: field, available: available)
        }
    }

    /// Calls `body` with every batch of the split and the stream's files, stopping after `data.maxJets` jets.
    private static func forEachBatch(
        config: RunConfig, split: JetSplit, _ body: (JetBatch, [String]) throws -> Void
    ) throws {
        let stream = try openStream(config: config, split: split)
        var remaining = config.data.maxJets ?? Int.max
        while remaining > 0, var batch = try stream.next() {
            if batch.count > remaining { batch = batch.gathering(Array(0..<remaining)) }
            remaining -= batch.count
            try body(batch, stream.files)
        }
    }

    private static func extract(config: RunConfig, split: JetSplit, extractor: FeatureExtractor) throws -> JetSet {
        let spec = extractor.spec
        var set = JetSet(featureCount: spec.constituentVariables.count, jetFeatureCount: spec.jetVariables.count)
        let binningFields = config.weights.weighting.binning?.axes.map(\.field) ?? []
        var labelMap: ClassLabelMap?
        try forEachBatch(config: config, split: split) { batch, files in
            if labelMap == nil {
                labelMap = try ClassLabelMap(
                    classNames: config.classNames, labelMap: config.data.labelMap, files: files)
            }
            let labels = try batch.classLabels(field: config.data.labelField, labels: labelMap!, files: files)
            let weights =
                config.weights.eventWeights
                ? batch.jetFields[config.data.weightField]!
                : [Float](repeating: 1, count: batch.count)
            var fields: [String: [Float]] = [:]
            for name in binningFields { fields[name] = batch.jetFields[name] }
            set.append(
                try extractor.extract(batch, files: files), labels: labels, weights: weights, eventNumbers: batch.eventNumbers,
                fields: fields)
        }
        return set
    }

    /// Applies the `weights.weighting` spec (class balancing, flattening or resampling).
    private static func weighted(_ set: JetSet, config: RunConfig, part: String) throws -> JetSet {
        guard set.count > 0 else {
            throw JetModelsError.invalidData(
                "the \(part) split of \(config.data.files.joined(separator: ", ")) has no jets")
        }
        let result = try config.weights.weighting.apply(
            labels: set.labels, weights: set.weights, fields: set.fields, classCount: config.model.classes)
        if result.indices == Array(0..<set.count) {
            var reweighted = set
            reweighted.weights = result.weights
            return reweighted
        }
        return set.subset(result.indices, weights: result.weights)
    }
}
