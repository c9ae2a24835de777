import Foundation
import JetCore
import JetData
import JetDistributed
import JetFeatures

/// How a split's jets become training entries, decided jet by jet from its class, bin, event weight and key (file
/// and row), never from per-jet arrays: `training.trainFraction`'s kept jets (training split; a jet is kept when
/// a uniform seeded by `training.seed` and its key is below the fraction, so a smaller fraction keeps a subset of a
/// larger one's jets) and the `weights` section (``JetFeatures/JetWeighter``).
struct SplitWeighting: Sendable {
    let config: RunConfig
    /// `training.trainFraction` for the training split, 1 for validation.
    let fraction: Double
    var weighter: JetWeighter?

    init(config: RunConfig, part: String) {
        self.config = config
        fraction = part == "training" ? config.training.trainFraction : 1
    }

    /// The key of a batch's jet: its file and row.
    static func key(_ batch: JetBatch, _ jet: Int) -> UInt64 {
        UInt64(batch.fileIndices[jet]) << 40 | UInt64(batch.rows[jet])
    }

    /// Whether `training.trainFraction` keeps the jet.
    func keeps(_ key: UInt64) -> Bool {
        guard fraction < 1 else { return true }
        var generator = SeededGenerator(seed: config.training.seed ^ 0x5452_4149_4E46_5241, key: key)
        return generator.nextUnitInterval() < fraction
    }

    /// A batch's labels, event weights and table bins.
    func columns(_ batch: JetBatch, labels: ClassLabelMap, files: [String]) throws -> (
        labels: [Int32], weights: [Float], bins: [Int]
    ) {
        (
            try batch.classLabels(field: config.data.labelField, labels: labels, files: files),
            config.weights.eventWeights
                ? batch.jetFields[config.data.weightField]! : [Float](repeating: 1, count: batch.count),
            try JetWeighter.bins(of: config.weights.weighting, fields: batch.jetFields, count: batch.count, rows: batch.rows)
        )
    }

    /// Every jet of `batch` once per copy (in order) and each copy's training weight; the weighter must be built.
    func entries(_ batch: JetBatch, labels: ClassLabelMap, files: [String]) throws -> (jets: [Int], weights: [Float]) {
        let (classes, weights, bins) = try columns(batch, labels: labels, files: files)
        var (jets, entryWeights) = ([Int](), [Float]())
        jets.reserveCapacity(batch.count)
        entryWeights.reserveCapacity(batch.count)
        for jet in 0..<batch.count {
            let key = Self.key(batch, jet)
            guard keeps(key) else { continue }
            let copies = weighter!.copies(label: classes[jet], bin: bins[jet], weight: weights[jet], key: key)
            guard copies > 0 else { continue }
            let weight = weighter!.weight(label: classes[jet], bin: bins[jet], weight: weights[jet])
            for _ in 0..<copies {
                jets.append(jet)
                entryWeights.append(weight)
            }
        }
        return (jets, entryWeights)
    }
}

/// Where one shard's jets of one split are in the files: every file's shard rows cut into C chunks, each with its
/// jet count (after selection, split and `data.maxJets`) and its entry count (the copies it trains on after
/// `training.trainFraction` and the `weights` section, ``SplitWeighting``). Per-chunk numbers only: the memory of
/// a plan does not grow with the jets.
struct ChunkPlan: Sendable {
    struct Chunk: Sendable {
        var file: Int
        var rows: Range<Int>
        var jets = 0
        var entries = 0
    }

    let config: RunConfig
    let split: JetSplit
    let shard: DataShard?
    let files: [String]
    /// C: chunks per file.
    let chunksPerFile: Int
    /// File-major: chunk k of file f at f C + k.
    private(set) var chunks: [Chunk] = []
    private(set) var weighting: SplitWeighting

    var entryCount: Int { chunks.reduce(0) { $0 + $1.entries } }

    /// A plan of C = ceil(rows / `data.shuffleBuffer`) chunks per file (`wholeFiles`: one chunk per file).
    init(config: RunConfig, split: JetSplit, part: String, shard: DataShard?, wholeFiles: Bool) throws {
        let stream = try TrainingData.openStream(config: config, split: split, shard: shard)
        let rows = stream.jetCounts.map { shard?.rows(of: $0) ?? 0..<$0 }
        let total = rows.reduce(0) { $0 + $1.count }
        self.config = config
        self.split = split
        self.shard = shard
        files = stream.files
        weighting = SplitWeighting(config: config, part: part)
        chunksPerFile = wholeFiles ? 1 : max(1, (total + config.data.shuffleBuffer - 1) / config.data.shuffleBuffer)
        for (file, rows) in rows.enumerated() {
            for k in 0..<chunksPerFile {
                let lower = rows.lowerBound + k * rows.count / chunksPerFile
                let upper = rows.lowerBound + (k + 1) * rows.count / chunksPerFile
                chunks.append(Chunk(file: file, rows: lower..<upper))
            }
        }
    }

    /// Calls `body` with every batch of the shard's jet fields and the chunk it lies in (batches do not cross chunks
    /// of the same file: a batch's jets are located one by one).
    private func forEachJetFieldBatch(_ body: (JetBatch, _ chunkOfJet: (Int) -> Int, ClassLabelMap, [String]) throws -> Void)
        throws
    {
        var labelMap: ClassLabelMap?
        var chunk = 0
        try TrainingData.forEachBatch(config: config, split: split, shard: shard, jetFieldsOnly: true) { batch, files in
            if labelMap == nil {
                labelMap = try ClassLabelMap(classNames: config.classNames, labelMap: config.data.labelMap, files: files)
            }
            try body(batch, { jet in
                while chunks[chunk].file != batch.fileIndices[jet] || !chunks[chunk].rows.contains(batch.rows[jet]) {
                    chunk += 1
                }
                return chunk
            }, labelMap!, files)
        }
    }

    /// The first pass over the jet fields: sets each chunk's jet count (and its entry count, for weightings that
    /// keep every jet once) and returns the histograms of the jets `training.trainFraction` keeps.
    mutating func countJets() throws -> WeightingHistograms {
        var histograms = WeightingHistograms(
            classCount: config.model.classes, binCount: try JetWeighter.binCount(of: config.weights.weighting))
        var counts = [(jets: Int, kept: Int)](repeating: (0, 0), count: chunks.count)
        let weighting = weighting
        try forEachJetFieldBatch { batch, chunkOfJet, labelMap, files in
            let (labels, weights, bins) = try weighting.columns(batch, labels: labelMap, files: files)
            for jet in 0..<batch.count {
                let chunk = chunkOfJet(jet)
                counts[chunk].jets += 1
                guard weighting.keeps(SplitWeighting.key(batch, jet)) else { continue }
                counts[chunk].kept += 1
                try histograms.add(label: labels[jet], bin: bins[jet], weight: weights[jet], row: batch.rows[jet])
            }
        }
        for index in chunks.indices {
            chunks[index].jets = counts[index].jets
            chunks[index].entries = counts[index].kept
        }
        return histograms
    }

    /// Sets the weighter built from the split's histograms.
    mutating func setWeighter(_ weighter: JetWeighter) { weighting.weighter = weighter }

    /// Whether the entry counts or the `balanceClasses` factors need ``countEntries()``.
    var needsSecondPass: Bool {
        [.pdf, .count].contains(config.weights.weighting.method) || weighting.weighter!.needsBalanceSums
    }

    /// The second pass over the jet fields, with the weighter set: each chunk's entry count, and per class the
    /// entries and the sum of their weights before `balanceClasses`.
    mutating func countEntries() throws -> (sums: [Double], counts: [Double]) {
        var sums = [Double](repeating: 0, count: config.model.classes)
        var counts = sums
        var entries = [Int](repeating: 0, count: chunks.count)
        let weighting = weighting
        let weighter = weighting.weighter!
        try forEachJetFieldBatch { batch, chunkOfJet, labelMap, files in
            let (labels, weights, bins) = try weighting.columns(batch, labels: labelMap, files: files)
            for jet in 0..<batch.count {
                let key = SplitWeighting.key(batch, jet)
                guard weighting.keeps(key) else { continue }
                let copies = weighter.copies(label: labels[jet], bin: bins[jet], weight: weights[jet], key: key)
                entries[chunkOfJet(jet)] += copies
                let weight = Double(weighter.methodWeight(label: labels[jet], bin: bins[jet], weight: weights[jet]))
                for _ in 0..<copies {
                    sums[Int(labels[jet])] += weight
                    counts[Int(labels[jet])] += 1
                }
            }
        }
        for index in chunks.indices { chunks[index].entries = entries[index] }
        return (sums, counts)
    }

    /// The plans of this rank's shards `owned` (of S = `shardCount`) for one split, their counts and weighter set:
    /// the passes over the jet fields, with the histograms and sums of every shard combined in shard order (gathered
    /// over the ranks), so that every rank count and both paths get the same weights. Returns the plans and every
    /// shard's entry count.
    static func plans(
        config: RunConfig, split: JetSplit, part: String, owned: [Int], shardCount: Int, wholeFiles: Bool,
        communicator: Communicator, progress: (String) -> Void
    ) throws -> (plans: [ChunkPlan], counts: [Int]) {
        var plans = try owned.map { shard in
            try ChunkPlan(
                config: config, split: split, part: part,
                shard: shardCount == 1 ? nil : DataShard(index: shard, count: shardCount), wholeFiles: wholeFiles)
        }
        // Every shard's values in shard order: rank r's k-th shard is shard k P + r.
        func byShard(_ values: [[Double]]) throws -> [[Double]] {
            let width = values.first?.count ?? 0
            let gathered = try communicator.allgather(values.flatMap { $0 })
            var result = [[Double]](repeating: [], count: shardCount)
            for rank in 0..<communicator.size {
                for k in owned.indices {
                    let start = (rank * owned.count + k) * width
                    result[k * communicator.size + rank] = Array(gathered[start..<(start + width)])
                }
            }
            return result
        }
        let classCount = config.model.classes
        let binCount = try JetWeighter.binCount(of: config.weights.weighting)
        let histograms = try byShard(try plans.indices.map { try plans[$0].countJets().packed }).reduce(
            into: WeightingHistograms(classCount: classCount, binCount: binCount)
        ) { $0.add(WeightingHistograms(packed: $1[...], classCount: classCount, binCount: binCount)) }
        guard histograms.counts.contains(where: { $0 > 0 }) else {
            throw JetModelsError.invalidData("the \(part) split of \(config.data.files.joined(separator: ", ")) has no jets")
        }
        var weighter = try JetWeighter(spec: config.weights.weighting, histograms: histograms)
        for index in plans.indices { plans[index].setWeighter(weighter) }
        if plans[0].needsSecondPass {
            progress("streaming: a second pass over the \(part) split's jet fields for the resampled jets and class sums")
            let sums = try byShard(try plans.indices.map { index in
                let (sums, counts) = try plans[index].countEntries()
                return sums + counts
            })
            var (classSums, classCounts) = ([Double](repeating: 0, count: classCount), [Double](repeating: 0, count: classCount))
            for shard in sums {
                for label in 0..<classCount {
                    classSums[label] += shard[label]
                    classCounts[label] += shard[classCount + label]
                }
            }
            if weighter.needsBalanceSums {
                try weighter.balance(sums: classSums, counts: classCounts, entries: Int(classCounts.reduce(0, +)))
                for index in plans.indices { plans[index].setWeighter(weighter) }
            }
        }
        let counts = try byShard(plans.map { [Double($0.entryCount)] }).map { Int($0[0]) }
        guard counts.reduce(0, +) > 0 else {
            throw JetModelsError.invalidData(
                "the \(part) split of \(config.data.files.joined(separator: ", ")) has no jets after the weighting")
        }
        return (plans, counts)
    }

    /// The rounds of `epoch`: round j holds chunk π_f(j) of every file f (in file order) and the seed of its
    /// permutation.
    func rounds(seed: UInt64, epoch: Int, shard: Int) -> [Round] {
        Self.rounds(fileCount: files.count, chunksPerFile: chunksPerFile, seed: seed, epoch: epoch, shard: shard)
    }

    /// The rounds of `epoch` for `fileCount` files of C = `chunksPerFile` chunks each (chunk k of file f at f C + k).
    static func rounds(fileCount: Int, chunksPerFile: Int, seed: UInt64, epoch: Int, shard: Int) -> [Round] {
        let files = 0..<fileCount
        let orders = files.map { file in
            Trainer.permutation(
                count: chunksPerFile, seed: seed ^ 0x4348_554E_4B5F_4F52 ^ (0xBF58_476D_1CE4_E5B9 &* UInt64(file + 1)),
                epoch: epoch, shard: shard)
        }
        return (0..<chunksPerFile).map { round in
            Round(
                chunks: files.map { $0 * chunksPerFile + orders[$0][round] },
                permutationSeed: (seed ^ (0x94D0_49BB_1331_11EB &* UInt64(round)), epoch, shard))
        }
    }

    /// Every chunk in file order, one round each, not permuted (validation).
    func inFileOrder() -> [Round] { chunks.indices.map { Round(chunks: [$0], permutationSeed: nil) } }

    /// Chunks read together and mixed by one permutation (nil: kept in file order).
    struct Round: Sendable {
        var chunks: [Int]
        var permutationSeed: (seed: UInt64, epoch: Int, shard: Int)?

        /// The order of the round's `count` entries: its permutation, or file order.
        func order(count: Int) -> [Int] {
            permutationSeed.map { Trainer.permutation(count: count, seed: $0.seed, epoch: $0.epoch, shard: $0.shard) }
                ?? Array(0..<count)
        }
    }

    /// The entries of `round`.
    func entryCount(of round: Round) -> Int { round.chunks.reduce(0) { $0 + chunks[$1].entries } }
}
