import JetData

/// Input files read as one stream of batches, each jet with its index in the concatenated inputs; with a shard,
/// only that shard's rows are kept and only the files holding them are opened.
public struct ShardedJets {
    private let stream: JetStream?
    /// Index (in the concatenated inputs) of the first jet of each file of `stream`.
    private let firstRows: [Int]
    private let kept: Range<Int>?

    /// - Parameter shard: keeps ``Shard/rows(of:)`` of all jets of `files`; nil keeps every jet.
    public init(files: [String], options: JetReadOptions, shard: Shard?) throws {
        let all = try JetStream(files: files, options: options)
        let allFirstRows = all.jetCounts.reduce(into: [0]) { $0.append($0.last! + $1) }
        let kept = shard.map { $0.rows(of: all.totalJets) } ?? 0..<all.totalJets
        let needed = all.files.indices.filter {
            allFirstRows[$0] < kept.upperBound && allFirstRows[$0 + 1] > kept.lowerBound
        }
        stream =
            needed.count == all.files.count
            ? all : needed.isEmpty ? nil : try JetStream(files: needed.map { all.files[$0] }, options: options)
        firstRows = needed.map { allFirstRows[$0] }
        self.kept = shard == nil ? nil : kept
    }

    /// The next batch with shard rows in it, and each of its jets' index in the concatenated inputs.
    public func next() throws -> (batch: JetBatch, indices: [Int64])? {
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
