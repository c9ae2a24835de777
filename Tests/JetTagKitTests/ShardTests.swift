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

    @Test func slurmArrayVariablesGiveThePart() throws {
        #expect(
            try Shard.fromSlurm(["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0"])
                == Shard(index: 2, count: 4))
        // An array --array=5-7 numbers its tasks from 5.
        #expect(
            try Shard.fromSlurm(["SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "5"])
                == Shard(index: 1, count: 3))
        // --array=1-3 with the maximum instead of the count: task 3 is the last of 3.
        #expect(
            try Shard.fromSlurm(["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MAX": "3", "SLURM_ARRAY_TASK_MIN": "1"])
                == Shard(index: 2, count: 3))
        #expect(try Shard.fromSlurm(["SLURM_ARRAY_TASK_COUNT": "2"]) == nil)
        #expect(try Shard.fromSlurm([:]) == nil)
    }

    @Test func badSlurmArrayVariablesAreErrorsNamingTheVariable() {
        let cases: [([String: String], String)] = [
            (["SLURM_ARRAY_TASK_ID": "abc", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "3"],
             "SLURM_ARRAY_TASK_ID = 'abc' is not an integer"),
            (["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "x", "SLURM_ARRAY_TASK_COUNT": "3"],
             "SLURM_ARRAY_TASK_MIN = 'x' is not an integer"),
            (["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "3"],
             "SLURM_ARRAY_TASK_MIN is needed with SLURM_ARRAY_TASK_ID (or give --shard i/N)"),
            (["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1"],
             "SLURM_ARRAY_TASK_COUNT is needed with SLURM_ARRAY_TASK_ID (or SLURM_ARRAY_TASK_MAX, or give --shard i/N)"),
            (["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3"],
             "SLURM_ARRAY_TASK_ID = '4' is outside the array of 3 tasks from SLURM_ARRAY_TASK_MIN = 1 "
                + "(arrays with steps such as --array=0-9:2 need --shard i/N)"),
            (["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "3"],
             "SLURM_ARRAY_TASK_ID = '0' is outside the array of 3 tasks from SLURM_ARRAY_TASK_MIN = 1 "
                + "(arrays with steps such as --array=0-9:2 need --shard i/N)"),
        ]
        for (environment, message) in cases {
            #expect(throws: Error.self) { try Shard.fromSlurm(environment) }
            do {
                _ = try Shard.fromSlurm(environment)
            } catch {
                #expect("\(error)" == message)
            }
        }
    }

    @Test func theOptionWinsOverSlurmAndTheWholeJobIsTheDefault() throws {
        let slurm = ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2", "SLURM_ARRAY_TASK_MIN": "0"]
        #expect(try Shard.resolved(Shard(index: 0, count: 3), environment: slurm) == Shard(index: 0, count: 3))
        #expect(try Shard.resolved(nil, environment: slurm) == Shard(index: 1, count: 2))
        #expect(try Shard.resolved(nil, environment: [:]) == .whole)
    }

    @Test func shardsOfBlocksStartAndEndOnBlockBoundaries() {
        for count in [1, 3, 7] {
            let parts = (0..<count).map { Shard(index: $0, count: count).rows(of: 1000, blockSize: 64) }
            #expect(parts.flatMap { Array($0) } == Array(0..<1000), "\(count) shards")
            #expect(parts.allSatisfy { $0.lowerBound % 64 == 0 }, "\(parts)")
        }
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
