/// Data shard `index` of `count` (`training.dataShards`): of every input file of n rows, the contiguous rows
/// [floor(index * n / count), floor((index + 1) * n / count)), before selection and split. A process that owns a
/// shard reads only those rows of each file.
public struct DataShard: Sendable, Equatable {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) {
        precondition(count > 0 && (0..<count).contains(index), "DataShard: shard \(index) of \(count)")
        self.index = index
        self.count = count
    }

    /// This shard's rows of a file of `rows` rows.
    public func rows(of rows: Int) -> Range<Int> {
        (index * rows / count)..<((index + 1) * rows / count)
    }
}
