import Foundation

/// Part i of N of a batch job (i from 0): `--shard i/N`, or Slurm's array variables when the option is absent.
///
/// A shard takes either a contiguous part of the rows of all inputs (``rows(of:)``) or every N-th item of a list
/// (``items(_:)``, e.g. one output per input file).
public struct Shard: Equatable, Sendable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    /// The whole job: part 0 of 1.
    public static let whole = Shard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        precondition(count > 0 && (0..<count).contains(index), "Shard: part \(index) of \(count)")
        self.index = index
        self.count = count
    }

    /// Parses `i/N` with 0 <= i < N; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count > 0,
            (0..<count).contains(index)
        else {
            return nil
        }
        self.init(index: index, count: count)
    }

    /// `SLURM_ARRAY_TASK_ID` minus `SLURM_ARRAY_TASK_MIN` (0 when unset) of `SLURM_ARRAY_TASK_COUNT`; nil when
    /// the variables are not set or give no valid part.
    public static func fromSlurm(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Shard? {
        guard let id = environment["SLURM_ARRAY_TASK_ID"].flatMap(Int.init),
            let count = environment["SLURM_ARRAY_TASK_COUNT"].flatMap(Int.init)
        else { return nil }
        let minimum = environment["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) ?? 0
        return Shard("\(id - minimum)/\(count)")
    }

    /// The shard to run: `given` (the `--shard` option), else Slurm's (``fromSlurm(_:)``), else ``whole``.
    public static func resolved(
        _ given: Shard?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Shard {
        given ?? fromSlurm(environment) ?? .whole
    }

    /// The items of this shard: every count-th, starting at index.
    public func items<T>(_ all: [T]) -> [T] {
        stride(from: index, to: all.count, by: count).map { all[$0] }
    }

    /// This shard's contiguous part of `total` rows (the parts of 0..<count cover the rows once, in order).
    public func rows(of total: Int) -> Range<Int> {
        (total * index / count)..<(total * (index + 1) / count)
    }

    /// `i/N`.
    public var description: String { "\(index)/\(count)" }
}
