import ArgumentParser
import Foundation

/// Part i of N of a batch job: `--shard i/N` (i from 0), or Slurm's array variables when the option is absent.
struct Shard: ExpressibleByArgument, Equatable {
    var index: Int
    var count: Int

    init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    init?(argument: String) {
        let parts = argument.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count > 0,
            (0..<count).contains(index)
        else {
            return nil
        }
        self.init(index: index, count: count)
    }

    /// `SLURM_ARRAY_TASK_ID` minus `SLURM_ARRAY_TASK_MIN` of `SLURM_ARRAY_TASK_COUNT`, when set.
    static func fromSlurm(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Shard? {
        guard let id = environment["SLURM_ARRAY_TASK_ID"].flatMap(Int.init),
            let count = environment["SLURM_ARRAY_TASK_COUNT"].flatMap(Int.init)
        else { return nil }
        let minimum = environment["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) ?? 0
        return Shard(argument: "\(id - minimum)/\(count)")
    }

    /// The items of this shard: every count-th, starting at index.
    func items<T>(_ all: [T]) -> [T] {
        stride(from: index, to: all.count, by: count).map { all[$0] }
    }

    /// This shard's contiguous part of `total` rows.
    func rows(of total: Int) -> Range<Int> {
        (total * index / count)..<(total * (index + 1) / count)
    }
}
