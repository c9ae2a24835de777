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
    /// section sees every shard's labels, weights and binning fields (gathered in shard order), so every rank
    /// count gives the same inputs and weights. Resampling (`weights.weighting.method: count`) needs S = 1.
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
            let sets = try owned.map { shard in
                try extract(
                    config: config, split: split, extractor: extractor,
                    shard: shardCount == 1 ? nil : DataShard(index: shard, count: shardCount))
            }
            let (selections, counts) = try selectedJets(
                sets.map { WeightColumns(labels: $0.labels, weights: $0.weights, fields: $0.fields) }, owned: owned,
                shardCount: shardCount, config: config, part: part, communicator: communicator)
            var set = JetSet(featureCount: spec.constituentVariables.count, jetFeatureCount: spec.jetVariables.count)
            var ranges: [Range<Int>] = []
            for (var shardSet, selection) in zip(sets, selections) {
                if let indices = selection.indices {
                    shardSet = shardSet.subset(indices, weights: selection.weights)
                } else {
                    shardSet.weights = selection.weights
                }
                ranges.append(set.count..<(set.count + shardSet.count))
                if sets.count == 1 { set = shardSet } else { set.append(contentsOf: shardSet) }
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

    /// The per-jet columns the `weights` section reads: labels, event weights and the binning fields.
    struct WeightColumns {
        var labels: [Int32] = []
        var weights: [Float] = []
        var fields: [String: [Float]] = [:]
    }

    /// The jets of one shard that a part trains on: `indices` into the shard's jets in file order (nil: all of
    /// them, in order) and their weights.
    struct SelectedJets {
        var indices: [Int]?
        var weights: [Float]
    }

    /// `training.trainFraction` (training part) and the `weights` section applied to the jets of this rank's
    /// shards `owned` (their `columns`, in file order); with S > 1 the weighting sees every shard's jets. Returns
    /// the selection of each owned shard and every shard's jet count.
    static func selectedJets(
        _ columns: [WeightColumns], owned: [Int], shardCount: Int, config: RunConfig, part: String,
        communicator: Communicator
    ) throws -> (selections: [SelectedJets], counts: [Int]) {
        var columns = columns
        var kept: [[Int]?] = Array(repeating: nil, count: columns.count)
        if part == "training" && config.training.trainFraction < 1 {
            for (index, shard) in owned.enumerated() {
                let indices = subsampleIndices(
                    count: columns[index].labels.count, fraction: config.training.trainFraction,
                    seed: (config.training.seed ^ 0x5452_4149_4E46_5241) &+ UInt64(shard))
                kept[index] = indices
                columns[index] = columns[index].subset(indices)
            }
        }
        if shardCount == 1 {
            let selection = try weighted(columns[0], config: config, part: part)
            let indices = selection.indices.map { indices in kept[0].map { kept in indices.map { kept[$0] } } ?? indices }
            return ([SelectedJets(indices: indices ?? kept[0], weights: selection.weights)], [selection.weights.count])
        }
        let (weights, counts) = try shardedWeights(columns, owned: owned, config: config, part: part, communicator: communicator)
        return (zip(kept, weights).map { SelectedJets(indices: $0, weights: $1) }, counts)
    }

    /// The `weights` section applied to the jets of all S shards (their labels, weights and binning fields
    /// gathered from every rank in shard order); returns the new weights of this rank's shards and every
    /// shard's jet count.
    private static func shardedWeights(
        _ sets: [WeightColumns], owned: [Int], config: RunConfig, part: String, communicator: Communicator
    ) throws -> (weights: [[Float]], counts: [Int]) {
        let fieldNames = (config.weights.weighting.binning?.axes.map(\.field) ?? []).uniqued().sorted()
        // Per jet: label, weight, then the binning fields; shard after shard.
        var packed: [Float] = []
        for set in sets {
            for jet in set.labels.indices {
                packed.append(Float(set.labels[jet]))
                packed.append(set.weights[jet])
                for name in fieldNames { packed.append(set.fields[name]![jet]) }
            }
        }
        let stride = 2 + fieldNames.count
        let ownedCounts = try communicator.allgather(owned.indices.map { Int64(sets[$0].labels.count) })
        let packedByRank = try communicator.allgatherVariable(packed)
        let shardCount = owned.count * communicator.size
        // allgather puts rank r's k-th shard, r + k P, at r * k_count + k.
        var counts = [Int](repeating: 0, count: shardCount)
        var slices = [ArraySlice<Float>](repeating: [], count: shardCount)
        for rank in 0..<communicator.size {
            var offset = 0
            for k in owned.indices {
                let shard = k * communicator.size + rank
                let count = Int(ownedCounts[rank * owned.count + k])
                counts[shard] = count
                slices[shard] = packedByRank[rank][offset..<(offset + count * stride)]
                offset += count * stride
            }
        }
        var labels: [Int32] = []
        var weights: [Float] = []
        var fields: [String: [Float]] = [:]
        for slice in slices {
            for jet in Swift.stride(from: slice.startIndex, to: slice.endIndex, by: stride) {
                labels.append(Int32(slice[jet]))
                weights.append(slice[jet + 1])
                for (index, name) in fieldNames.enumerated() { fields[name, default: []].append(slice[jet + 2 + index]) }
            }
        }
        guard !weights.isEmpty else {
            throw JetModelsError.invalidData(
                "the \(part) split of \(config.data.files.joined(separator: ", ")) has no jets")
        }
        let result = try config.weights.weighting.apply(
            labels: labels, weights: weights, fields: fields, classCount: config.model.classes)
        guard result.indices == Array(0..<weights.count) else {
            throw JetModelsError.invalidData(
                "weights.weighting.method \(config.weights.weighting.method.rawValue) resamples the jets, which needs "
                    + "training.dataShards: 1 (one process)")
        }
        let firsts = counts.reduce(into: [0]) { $0.append($0.last! + $1) }
        return (owned.map { Array(result.weights[firsts[$0]..<firsts[$0 + 1]]) }, counts)
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

    private static func extract(
        config: RunConfig, split: JetSplit, extractor: FeatureExtractor, shard: DataShard? = nil
    ) throws -> JetSet {
        let spec = extractor.spec
        var set = JetSet(featureCount: spec.constituentVariables.count, jetFeatureCount: spec.jetVariables.count)
        let binningFields = config.weights.weighting.binning?.axes.map(\.field) ?? []
        var labelMap: ClassLabelMap?
        try forEachBatch(config: config, split: split, shard: shard) { batch, files in
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

    /// The ceil(fraction count) indices of 0..<count that a fraction of a training split keeps, increasing: the
    /// first of a permutation seeded by `seed`, so that for one seed the indices of a smaller fraction are among
    /// those of a larger one (nested learning-curve subsets).
    public static func subsampleIndices(count: Int, fraction: Double, seed: UInt64) -> [Int] {
        var order = Array(0..<count)
        var generator = SeededGenerator(seed: seed)
        for i in stride(from: count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
        }
        let kept = min(count, Int((fraction * Double(count)).rounded(.up)))
        return order[..<kept].sorted()
    }

    /// Applies the `weights.weighting` spec (class balancing, flattening or resampling) to one shard's jets;
    /// `indices` is nil when every jet is kept in order.
    private static func weighted(_ columns: WeightColumns, config: RunConfig, part: String) throws -> SelectedJets {
        guard !columns.labels.isEmpty else {
            throw JetModelsError.invalidData(
                "the \(part) split of \(config.data.files.joined(separator: ", ")) has no jets")
        }
        let result = try config.weights.weighting.apply(
            labels: columns.labels, weights: columns.weights, fields: columns.fields, classCount: config.model.classes)
        return SelectedJets(
            indices: result.indices == Array(0..<columns.labels.count) ? nil : result.indices, weights: result.weights)
    }
}

extension TrainingData.WeightColumns {
    /// The jets at `indices`, in that order.
    func subset(_ indices: [Int]) -> Self {
        Self(
            labels: indices.map { labels[$0] }, weights: indices.map { weights[$0] },
            fields: fields.mapValues { column in indices.map { column[$0] } })
    }

    /// Appends a batch's labels, weights and binning fields.
    mutating func append(labels: [Int32], weights: [Float], fields: [String: [Float]]) {
        self.labels += labels
        self.weights += weights
        for (name, column) in fields { self.fields[name, default: []] += column }
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
