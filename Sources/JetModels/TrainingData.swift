import Foundation
import JetCore
import JetData
import JetDistributed
import JetFeatures

/// The training and validation jets of a run, loaded once into memory as network inputs, with the
/// feature spec whose standardisation was fitted on the training jets.
///
/// With `training.dataShards` S > 1 the splits are read shard by shard (``DataShard``): this process holds the
/// shards of its rank (m % ranks == rank), each a contiguous range of `training` and `validation`
/// (``ShardLayout``).
public struct TrainingData: Sendable {
    /// The spec with every centre and scale set (what the model file stores).
    public let features: FeatureSpec
    public let training: JetSet
    public let validation: JetSet
    /// The data shards this process holds and where their jets are.
    public let shards: ShardLayout

    /// Data of one shard, all held here.
    public init(features: FeatureSpec, training: JetSet, validation: JetSet) {
        self.init(
            features: features, training: training, validation: validation,
            shards: ShardLayout(
                count: 1, owned: [0], trainingRanges: [0..<training.count], validationRanges: [0..<validation.count],
                trainingCounts: [training.count]))
    }

    init(features: FeatureSpec, training: JetSet, validation: JetSet, shards: ShardLayout) {
        self.features = features
        self.training = training
        self.validation = validation
        self.shards = shards
    }

    /// Reads the config's files: fits the missing standardisation on the training split (real
    /// constituents only, streaming), then extracts both splits and applies the `weights` section. The labels
    /// are checked against `config.classNames` and the files' `label_names` (``ClassLabelMap``): give a config whose class names are resolved
    /// (``RunConfig/resolvingClassNames()``, as ``TrainingRun`` does).
    ///
    /// With S = `training.dataShards` (default: the rank count) shards, this rank reads only its shards' rows;
    /// the standardisation is fitted by rank 0 on the whole training split and broadcast, and the `weights`
    /// section is applied jet by jet from histograms of every shard combined in shard order (``ChunkPlan``, the
    /// passes of the streamed path), so every rank count and both paths give the same inputs and weights.
    ///
    /// - Parameters:
    ///   - splits: overrides `config.data.split` (k-fold training).
    ///   - features: an already fitted spec to use instead of fitting (resuming a run).
    ///   - communicator: the ranks that share the shards.
    public static func load(
        config: RunConfig, splits: (training: JetSplit, validation: JetSplit)? = nil, features: FeatureSpec? = nil,
        communicator: Communicator = .solo
    ) throws -> TrainingData {
        let (trainingSplit, validationSplit) = splits ?? config.data.split.splits
        let spec = try features ?? fittedFeatures(config: config, split: trainingSplit, communicator: communicator)
        let extractor = try FeatureExtractor(spec: spec)
        let (shardCount, owned) = try shardPlan(config: config, communicator: communicator)
        func part(_ split: JetSplit, part: String) throws -> (set: JetSet, ranges: [Range<Int>], counts: [Int]) {
            let (plans, counts) = try ChunkPlan.plans(
                config: config, split: split, part: part, owned: owned, shardCount: shardCount, wholeFiles: true,
                communicator: communicator, progress: { _ in })
            let stream = try openStream(config: config, split: split)
            let labelMap = try ClassLabelMap(classNames: config.classNames, labelMap: config.data.labelMap, files: stream.files)
            var set = JetSet(featureCount: spec.constituentVariables.count, jetFeatureCount: spec.jetVariables.count)
            var ranges: [Range<Int>] = []
            for plan in plans {
                let start = set.count
                try StreamedShard(config: config, extractor: extractor, split: split, plan: plan).read(
                    ChunkPlan.Round(chunks: Array(plan.chunks.indices), permutationSeed: nil), into: &set,
                    stream: stream, labelMap: labelMap)
                ranges.append(start..<set.count)
            }
            return (set, ranges, counts)
        }
        let training = try part(trainingSplit, part: "training")
        let validation = try part(validationSplit, part: "validation")
        return TrainingData(
            features: spec, training: training.set, validation: validation.set,
            shards: ShardLayout(
                count: shardCount, owned: owned, trainingRanges: training.ranges, validationRanges: validation.ranges,
                trainingCounts: training.counts))
    }

    /// S = `training.dataShards` (default: the rank count) and the shards this rank holds (m % ranks == rank),
    /// checked against the rank count and the batch size.
    static func shardPlan(config: RunConfig, communicator: Communicator) throws -> (count: Int, owned: [Int]) {
        let shardCount = config.training.dataShards ?? communicator.size
        guard shardCount % communicator.size == 0 else {
            throw JetModelsError.invalidData(
                "training.dataShards is \(shardCount), not a multiple of the \(communicator.size) MPI ranks")
        }
        guard config.training.batchSize % shardCount == 0 else {
            throw JetModelsError.invalidData(
                "training.batchSize \(config.training.batchSize) is not divisible by the \(shardCount) data shards "
                    + "(training.dataShards, default: the MPI rank count)")
        }
        return (shardCount, Array(stride(from: communicator.rank, to: shardCount, by: communicator.size)))
    }

    /// The config's feature spec with every missing centre and scale fitted on the jets of `split`
    /// (real constituents only, streaming, at most `data.maxJets` jets).
    /// Under MPI rank 0 fits (reading the whole split, as one process does) and broadcasts the spec.
    public static func fittedFeatures(
        config: RunConfig, split: JetSplit, communicator: Communicator = .solo
    ) throws -> FeatureSpec {
        guard !config.features.isStandardized else { return config.features }
        var fitted: FeatureSpec?
        if communicator.rank == 0 {
            var fitter = try StandardizationFitter(spec: config.features)
            try forEachBatch(config: config, split: split, shard: nil) { batch, files in try fitter.accumulate(batch, files: files) }
            fitted = try fitter.fittedSpec()
        }
        guard communicator.size > 1 else { return fitted! }
        let bytes = try communicator.broadcastFromRankZero(fitted.map { [UInt8](try JSONEncoder().encode($0)) } ?? [])
        return try fitted ?? JSONDecoder().decode(FeatureSpec.self, from: Data(bytes))
    }

    /// The read options for the fields the config needs (the jet fields alone for `jetFieldsOnly`), restricted to
    /// `split`.
    static func readOptions(
        config: RunConfig, split: JetSplit?, shard: DataShard? = nil, jetFieldsOnly: Bool = false
    ) throws -> JetReadOptions {
        var jetFields = config.features.requiredJetFields + [config.data.labelField]
        if config.weights.eventWeights { jetFields.append(config.data.weightField) }
        jetFields += config.weights.weighting.binning?.axes.map(\.field) ?? []
        return JetReadOptions(
            layout: config.data.layout, jetFields: jetFields.uniqued(),
            constituentFields: jetFieldsOnly ? [] : config.features.requiredConstituentFields,
            maxConstituents: config.features.maxConstituents,
            batchSize: config.data.readBatchSize, selection: try config.data.selection.map { try JetSelection($0) },
            split: split, dataShard: shard, threads: config.training.threads)
    }

    /// The stream of the config's files restricted to `split` (nil: all jets) and `shard` (nil: every row); a field
    /// missing from a file that a new variable reads is named with the variable, its expression and the position.
    static func openStream(
        config: RunConfig, split: JetSplit?, shard: DataShard? = nil, jetFieldsOnly: Bool = false
    ) throws -> JetStream {
        do {
            return try JetStream(
                files: config.data.files,
                options: try readOptions(config: config, split: split, shard: shard, jetFieldsOnly: jetFieldsOnly))
        } catch let JetDataError.missingField(file, dataset, field, available) {
            throw config.features.missingExpressionField(field, file: file, available: available)
                ?? JetDataError.missingField(file: file, dataset: dataset, field: field, available: available)
        }
    }

    /// Calls `body` with every batch of the split (of `shard` only, when given) and the stream's files, stopping
    /// after `data.maxJets` jets (shard m of S: its share, floor((m + 1) maxJets / S) - floor(m maxJets / S)).
    static func forEachBatch(
        config: RunConfig, split: JetSplit, shard: DataShard?, jetFieldsOnly: Bool = false,
        _ body: (JetBatch, [String]) throws -> Void
    ) throws {
        let stream = try openStream(config: config, split: split, shard: shard, jetFieldsOnly: jetFieldsOnly)
        var remaining = config.data.maxJets.map { maxJets in shard.map { $0.rows(of: maxJets).count } ?? maxJets } ?? Int.max
        while remaining > 0, var batch = try stream.next() {
            if batch.count > remaining { batch = batch.gathering(Array(0..<remaining)) }
            remaining -= batch.count
            try body(batch, stream.files)
        }
    }
}

/// Where the data shards of a ``TrainingData`` are: S, the shards this process holds (ascending) with their jets'
/// ranges in the training and validation sets, and every shard's training jet count.
public struct ShardLayout: Sendable, Equatable {
    /// S, `training.dataShards`.
    public let count: Int
    public let owned: [Int]
    public let trainingRanges: [Range<Int>]
    public let validationRanges: [Range<Int>]
    /// The training jets of each of the S shards (of every rank).
    public let trainingCounts: [Int]
}
