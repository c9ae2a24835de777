import JetTagKit
import Testing

/// `--shard i/N`, Slurm's array variables, and the rows and items of a shard.
@Suite struct ShardTests {
    @Test func parsesPartsOfN() {
        #expect(Shard("0/1") == .whole)
        #expect(Shard("2/3") == Shard(index: 2, count: 3))
        for text in ["3/3", "-1/2", "1/0", "1/-2", "a/2", "1", "1/2/3", "/2", "1/", "", " 1/2"] {
            #expect(Shard(text) == nil, "\(text)")
        }
        #expect(Shard(index: 4, count: 7).description == "4/7")
    }

    @Test func slurmArrayVariablesGiveThePart() {
        #expect(Shard.fromSlurm(["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"]) == Shard(index: 2, count: 4))
        // An array --array=5-7 numbers its tasks from 5.
        #expect(
            Shard.fromSlurm(["SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "5"])
                == Shard(index: 1, count: 3))
        #expect(Shard.fromSlurm(["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "3"]) == nil)
        #expect(Shard.fromSlurm(["SLURM_ARRAY_TASK_ID": "1"]) == nil)
        #expect(Shard.fromSlurm(["SLURM_ARRAY_TASK_COUNT": "2"]) == nil)
        #expect(Shard.fromSlurm([:]) == nil)
    }

    @Test func theOptionWinsOverSlurmAndTheWholeJobIsTheDefault() {
        let slurm = ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2"]
        #expect(Shard.resolved(Shard(index: 0, count: 3), environment: slurm) == Shard(index: 0, count: 3))
        #expect(Shard.resolved(nil, environment: slurm) == Shard(index: 1, count: 2))
        #expect(Shard.resolved(nil, environment: [:]) == .whole)
    }

    @Test(arguments: [0, 1, 5, 10, 11, 101])
    func rowsOfTheShardsCoverEveryRowOnceInOrder(total: Int) {
        for count in 1...4 {
            let parts = (0..<count).map { Shard(index: $0, count: count).rows(of: total) }
            #expect(parts.flatMap { Array($0) } == Array(0..<total), "\(count) shards of \(total)")
            #expect(parts.map(\.count).max()! - parts.map(\.count).min()! <= 1)
        }
    }

    @Test func itemsAreEveryNthFromTheIndex() {
        let files = ["a", "b", "c", "d", "e"]
        #expect(Shard(index: 0, count: 2).items(files) == ["a", "c", "e"])
        #expect(Shard(index: 1, count: 2).items(files) == ["b", "d"])
        #expect(Shard(index: 4, count: 6).items(files) == ["e"])
        #expect(Shard(index: 5, count: 6).items(files).isEmpty)
        #expect(Shard.whole.items(files) == files)
    }
}
