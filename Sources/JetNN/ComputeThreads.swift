import CBLAS
import Foundation
import Synchronization

/// The number of threads JetNN computes with. One thread is the default.
///
/// JetNN splits its work across the batch itself (data parallelism): the rows of a layer's input are cut into
/// contiguous parts and each thread runs the layer, sgemm included, on its share of the parts. OpenBLAS is kept at
/// one thread: its own threading pays little on the small products of a batch. The parts depend on the row count
/// only (see ``RowSplit``), and sums over parts (weight gradients, BatchNorm statistics) are added in part order,
/// so results are the same, bit for bit, with any thread count.
public enum ComputeThreads {
    private static let storage: LockedCount = {
        openblas_set_num_threads(1)
        return LockedCount(1)
    }()

    /// The current thread count.
    public static var count: Int { storage.value }

    /// Sets the thread count for JetNN's layers (`count` >= 1).
    public static func set(_ count: Int) {
        precondition(count >= 1, "ComputeThreads: count must be >= 1, got \(count)")
        storage.value = count
        openblas_set_num_threads(1)
    }

    /// Runs `body(&worker, task)` for every task in `0..<tasks` on up to ``count`` threads, each thread taking the
    /// next free task and keeping one `worker` (made on that thread by `makeWorker`) for all the tasks it takes.
    ///
    /// Inside a task JetNN's layers run on the task's thread alone, each product in one piece (a ``RowSplit`` has
    /// one part there): the tasks are the parallelism. So whole forward passes share out without a meeting point
    /// per layer, and a task computes the same bits on any thread count (one task, one thread, or tasks started
    /// from inside a task run inline, under the same rule). After an error no new task starts; once the running ones finish, the error of the
    /// lowest-numbered failed task is rethrown.
    public static func forEachTask<Worker>(
        _ tasks: Int, makeWorker: () -> Worker, _ body: (inout Worker, Int) throws -> Void
    ) throws {
        let threads = min(layerThreads, tasks)
        guard threads > 1 else {
            let outer = InsideTask.get()
            InsideTask.set(true)
            defer { InsideTask.set(outer) }
            var worker = makeWorker()
            for task in 0..<tasks { try body(&worker, task) }
            return
        }
        let next = Atomic<Int>(0)
        let failures = Mutex<[(task: Int, error: any Error)]>([])
        withoutActuallyEscaping(makeWorker) { makeWorker in
            withoutActuallyEscaping(body) { body in
                let shared = UncheckedSendable((makeWorker, body))
                DispatchQueue.concurrentPerform(iterations: threads) { _ in
                    InsideTask.set(true)
                    defer { InsideTask.set(false) }
                    var worker = shared.value.0()
                    while failures.withLock({ $0.isEmpty }) {
                        let task = next.add(1, ordering: .relaxed).oldValue
                        guard task < tasks else { return }
                        do {
                            try shared.value.1(&worker, task)
                        } catch {
                            failures.withLock { $0.append((task, error)) }
                        }
                    }
                }
            }
        }
        if let first = failures.withLock({ $0.min { $0.task < $1.task } }) { throw first.error }
    }

    /// Threads available to a layer's own split or to tasks: one inside a ``forEachTask(_:makeWorker:_:)`` task.
    static var layerThreads: Int { InsideTask.get() ? 1 : count }

    /// Whether the current thread is running a ``forEachTask(_:makeWorker:_:)`` task.
    static var isInsideTask: Bool { InsideTask.get() }
}

/// Whether the current thread is running a ``ComputeThreads/forEachTask(_:makeWorker:_:)`` task.
private enum InsideTask {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "ComputeThreads: no thread-specific key left")
        return key
    }()

    static func get() -> Bool { pthread_getspecific(key) != nil }
    static func set(_ inside: Bool) { pthread_setspecific(key, inside ? UnsafeRawPointer(bitPattern: 1) : nil) }
}

/// Runs `body` over `0..<total` split into contiguous chunks of at least `minimumPerChunk`, one per compute
/// thread (``ComputeThreads/count``), concurrently; inline when one chunk suffices. The chunks must touch
/// disjoint memory.
func forEachChunk(of total: Int, minimumPerChunk: Int, _ body: (Range<Int>) -> Void) {
    let chunks = min(ComputeThreads.layerThreads, total / max(minimumPerChunk, 1))
    guard chunks > 1 else {
        body(0..<total)
        return
    }
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            shared.value((chunk * total / chunks)..<((chunk + 1) * total / chunks))
        }
    }
}

/// A split of `0..<total` rows into contiguous parts that depends on `total` only (and on whether it is made inside
/// a task), never on the thread count.
///
/// An sgemm's bits depend on its row count (OpenBLAS blocks differently), so the layers run theirs per part on
/// every thread count, and sums over rows are taken per part and then added in part order: the results are the
/// same with any number of threads.
struct RowSplit {
    /// At most this many parts (a multiple of the usual thread counts, so the parts share out evenly).
    static let maximumParts = 8

    let total: Int
    /// Number of parts, >= 1.
    let parts: Int

    /// Parts of at least `minimumPerPart` rows (one part when `total` is smaller, or inside a
    /// ``ComputeThreads/forEachTask(_:makeWorker:_:)`` task, whose products run whole on one thread).
    init(_ total: Int, minimumPerPart: Int) {
        self.total = total
        parts = ComputeThreads.isInsideTask ? 1 : max(1, min(Self.maximumParts, total / max(minimumPerPart, 1)))
    }

    /// The rows of `part`.
    func rows(_ part: Int) -> Range<Int> { (part * total / parts)..<((part + 1) * total / parts) }

    /// Runs `body(part, rows)` for every part on up to ``ComputeThreads/count`` threads, each taking the next part
    /// when it is free (a thread the system delays holds up one part, not a fixed share). The parts must touch
    /// disjoint memory.
    func forEachPart(_ body: (_ part: Int, _ rows: Range<Int>) -> Void) {
        let threads = min(ComputeThreads.layerThreads, parts)
        guard threads > 1 else {
            for part in 0..<parts { body(part, rows(part)) }
            return
        }
        let next = Atomic<Int>(0)
        let split = self
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                while true {
                    let part = next.add(1, ordering: .relaxed).oldValue
                    guard part < split.parts else { return }
                    shared.value(part, split.rows(part))
                }
            }
        }
    }
}

/// A value handed to worker threads whose safety the caller guarantees (disjoint chunks of one buffer).
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// An integer behind a lock, so the setting is safe to read from any thread.
private final class LockedCount: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Int

    init(_ value: Int) { stored = value }

    var value: Int {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
