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

    /// Slurm's array task: `SLURM_ARRAY_TASK_ID` minus `SLURM_ARRAY_TASK_MIN` of `SLURM_ARRAY_TASK_COUNT` (or
    /// `SLURM_ARRAY_TASK_MAX - SLURM_ARRAY_TASK_MIN + 1`); nil when `SLURM_ARRAY_TASK_ID` is not set.
    ///
    /// - Throws: ``JetTagKitError/invalidSlurmArray(variable:value:reason:)`` naming the variable that is not an
    ///   integer, missing (`SLURM_ARRAY_TASK_MIN`, and the count or maximum, are required: an array need not
    ///   start at 0), or gives a task outside the array.
    public static func fromSlurm(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Shard? {
        guard environment["SLURM_ARRAY_TASK_ID"] != nil else { return nil }
        func integer(_ variable: String) throws -> Int? {
            guard let text = environment[variable] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw JetTagKitError.invalidSlurmArray(variable: variable, value: text, reason: "is not an integer")
            }
            return value
        }
        let id = try integer("SLURM_ARRAY_TASK_ID")!
        guard let minimum = try integer("SLURM_ARRAY_TASK_MIN") else {
            throw JetTagKitError.invalidSlurmArray(
                variable: "SLURM_ARRAY_TASK_MIN", value: nil, reason: "is needed with SLURM_ARRAY_TASK_ID (or give --shard i/N)")
        }
        let count: Int
        if let given = try integer("SLURM_ARRAY_TASK_COUNT") {
            count = given
        } else if let maximum = try integer("SLURM_ARRAY_TASK_MAX") {
            count = maximum - minimum + 1
        } else {
            throw JetTagKitError.invalidSlurmArray(
                variable: "SLURM_ARRAY_TASK_COUNT", value: nil,
                reason: "is needed with SLURM_ARRAY_TASK_ID (or SLURM_ARRAY_TASK_MAX, or give --shard i/N)")
        }
        guard count > 0, (0..<count).contains(id - minimum) else {
            throw JetTagKitError.invalidSlurmArray(
                variable: "SLURM_ARRAY_TASK_ID", value: "\(id)",
                reason: "is outside the array of \(count) tasks from SLURM_ARRAY_TASK_MIN = \(minimum) "
                    + "(arrays with steps such as --array=0-9:2 need --shard i/N)")
        }
        return Shard(index: id - minimum, count: count)
    }

    /// The shard to run: `given` (the `--shard` option), else Slurm's (``fromSlurm(_:)``), else ``whole``.
    public static func resolved(
        _ given: Shard?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Shard {
        try given ?? fromSlurm(environment) ?? .whole
    }

    /// The items of this shard: every count-th, starting at index.
    public func items<T>(_ all: [T]) -> [T] {
        stride(from: index, to: all.count, by: count).map { all[$0] }
    }

    /// This shard's contiguous part of `total` rows (the parts of 0..<count cover the rows once, in order),
    /// starting and ending on multiples of `blockSize` (but the last part's end).
    public func rows(of total: Int, blockSize: Int = 1) -> Range<Int> {
        let blocks = (total + blockSize - 1) / blockSize
        return min(blocks * index / count * blockSize, total)..<min(blocks * (index + 1) / count * blockSize, total)
    }

    /// `i/N`.
    public var description: String { "\(index)/\(count)" }
}
