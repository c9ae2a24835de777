import JetData
import JetModels

/// Input files read as one stream of batches, each jet with its index in the concatenated inputs; with a shard,
/// only that shard's rows are kept and only the files holding them are opened (a split keeps the jets it keeps
/// in a stream over all the files).
///
/// Every batch holds whole blocks of `blockSize` rows of the concatenated inputs (the start of a block is held
/// back until the next read completes it), and shards start and end on block boundaries: with
/// ``JetModels/JetScorer/blockSize`` the scorer forwards the same jets together for any batch size and shard count.
public final class ShardedJets {
    private let stream: JetStream?
    /// Index (in the concatenated inputs) of the first jet of each file of `stream`.
    private let firstRows: [Int]
    private let kept: Range<Int>?
    private let blockSize: Int64
    /// Jets read but not yet returned: the start of a block that the next read completes.
    private var pending: (batch: JetBatch, indices: [Int64])?

    /// The files the batches' `fileIndices` point into.
    public var files: [String] { stream?.files ?? [] }
    /// The rows of the concatenated inputs kept (all of them without a shard), before selection and split, and
    /// those inputs' total: what an output's ``OutputRows`` records.
    public let rows: OutputRows

    /// - Parameter shard: keeps ``Shard/rows(of:blockSize:)`` of all jets of `files`; nil keeps every jet.
    public init(files: [String], options: JetReadOptions, shard: Shard?, blockSize: Int = JetScorer.blockSize) throws {
        self.blockSize = Int64(blockSize)
        let all = try JetStream(files: files, options: options)
        let allFirstRows = all.jetCounts.reduce(into: [0]) { $0.append($0.last! + $1) }
        let kept = shard.map { $0.rows(of: all.totalJets, blockSize: blockSize) } ?? 0..<all.totalJets
        let needed = all.files.indices.filter {
            allFirstRows[$0] < kept.upperBound && allFirstRows[$0 + 1] > kept.lowerBound
        }
        var partOptions = options
        partOptions.splitFileOffset += needed.first ?? 0
        stream =
            needed.count == all.files.count
            ? all : needed.isEmpty ? nil : try JetStream(files: needed.map { all.files[$0] }, options: partOptions)
        firstRows = needed.map { allFirstRows[$0] }
        self.kept = shard == nil ? nil : kept
        rows = OutputRows(shard: shard ?? .whole, rows: kept, inputRows: all.totalJets)
    }

    /// The next batch of whole blocks with shard rows in it, and each of its jets' index in the concatenated inputs.
    public func next() throws -> (batch: JetBatch, indices: [Int64])? {
        while let read = try nextRead() {
            var (batch, indices) = read
            if let pending {
                batch = pending.batch
                batch.append(read.batch)
                indices = pending.indices + read.indices
            }
            let lastBlock = indices.last! / blockSize
            let complete = indices.firstIndex { $0 / blockSize == lastBlock }!
            guard complete > 0 else {
                pending = (batch, indices)
                continue
            }
            pending = (batch.gathering(Array(complete..<batch.count)), Array(indices[complete...]))
            return (batch.gathering(Array(0..<complete)), Array(indices[..<complete]))
        }
        defer { pending = nil }
        return pending
    }

    /// The next batch of the stream with shard rows in it.
    private func nextRead() throws -> (batch: JetBatch, indices: [Int64])? {
        while var batch = try stream?.next() {
            var indices = batch.rows.indices.map { Int64(firstRows[batch.fileIndices[$0]] + batch.rows[$0]) }
            if let kept {
                let inShard = indices.indices.filter { kept.contains(Int(indices[$0])) }
                guard !inShard.isEmpty else { continue }
                if inShard.count < batch.count {
                    batch = batch.gathering(inShard)
                    indices = inShard.map { indices[$0] }
                }
            }
            return (batch, indices)
        }
        return nil
    }
}
