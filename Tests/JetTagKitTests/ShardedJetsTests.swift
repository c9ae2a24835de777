import JetTagKit
import JetTestSupport
import Testing

/// The rows of a shard over several input files, with each jet's index in the concatenated inputs.
@Suite struct ShardedJetsTests {
    /// Jets per file; file f's event numbers start at 1000 * (f + 1).
    private let counts = [10, 7, 12]

    private func files(in directory: TemporaryDirectory) throws -> [String] {
        try counts.enumerated().map { file, count in
            let path = directory.path("part\(file).h5")
            try SyntheticJetFile.write(to: path, count: count, seed: UInt64(file), firstEventNumber: 1000 * (file + 1))
            return path
        }
    }

    /// Every (index, event number) the jets give, batch by batch (blocks of `blockSize` rows).
    private func read(
        _ files: [String], shard: Shard?, blockSize: Int = 1, batchSize: Int = 4
    ) throws -> (indices: [Int64], events: [Int64]) {
        let options = JetReadOptions(jetFields: ["pt"], batchSize: batchSize, threads: 1)
        let jets = try ShardedJets(files: files, options: options, shard: shard, blockSize: blockSize)
        var result: (indices: [Int64], events: [Int64]) = ([], [])
        while let (batch, indices) = try jets.next() {
            #expect(indices.count == batch.count)
            #expect(Set(indices.map { $0 / Int64(blockSize) }).isDisjoint(with: result.indices.map { $0 / Int64(blockSize) }),
                "a block split between batches")
            result.indices += indices
            result.events += batch.eventNumbers
        }
        return result
    }

    /// The event number of the jet at `index` of the concatenated inputs.
    private func eventNumber(_ index: Int) -> Int64 {
        var row = index
        for (file, count) in counts.enumerated() {
            if row < count { return Int64(1000 * (file + 1) + row) }
            row -= count
        }
        preconditionFailure("index \(index) beyond the inputs")
    }

    @Test func withoutAShardEveryJetIsIndexedAcrossFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let all = try read(try files(in: directory), shard: nil)
        #expect(all.indices == (0..<29).map(Int64.init))
        #expect(all.events == (0..<29).map(eventNumber))
    }

    /// The inputs read as 3 shards of blocks of `blockSize` rows: each shard holds its rows with their event numbers,
    /// starts on a block, and the shards together are every row once, in order.
    private func expectThreeShardsCoverTheInputs(blockSize: Int = 1, batchSize: Int = 4) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let inputs = try files(in: directory)
        var union: [Int64] = []
        for index in 0..<3 {
            let shard = Shard(index: index, count: 3)
            let part = try read(inputs, shard: shard, blockSize: blockSize, batchSize: batchSize)
            let rows = shard.rows(of: 29, blockSize: blockSize)
            #expect(part.indices == rows.map(Int64.init), "shard \(shard)")
            #expect(part.events == rows.map(eventNumber), "shard \(shard)")
            #expect(part.indices.first.map { $0 % Int64(blockSize) == 0 } ?? true)
            union += part.indices
        }
        #expect(union == (0..<29).map(Int64.init))
    }

    @Test func shardRowsCrossFileBoundaries() throws {
        // 29 rows in 3 shards: 0..<9 (first file), 9..<19 (first and second), 19..<29 (second and third).
        try expectThreeShardsCoverTheInputs()
    }

    @Test func aShardInsideOneFileReadsOnlyItsRows() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let part = try read(try files(in: directory), shard: Shard(index: 5, count: 6))
        #expect(part.indices == (24..<29).map(Int64.init))
        #expect(part.events == (24..<29).map(eventNumber))
    }

    @Test func batchesHoldWholeBlocksAndShardsStartOnBlocks() throws {
        try expectThreeShardsCoverTheInputs(blockSize: 5, batchSize: 3)
    }
}
