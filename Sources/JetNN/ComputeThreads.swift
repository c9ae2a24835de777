import CBLAS
import Foundation

/// The number of threads JetNN computes with: OpenBLAS's thread count and the split of JetNN's own
/// large loops (im2col / col2im, activations). One thread is the default; on a shared machine two rarely pay.
public enum ComputeThreads {
    private static let storage = LockedCount(1)

    /// The current thread count.
    public static var count: Int { storage.value }

    /// Sets the thread count for BLAS and JetNN's own loops (`count` >= 1).
    public static func set(_ count: Int) {
        precondition(count >= 1, "ComputeThreads: count must be >= 1, got \(count)")
        storage.value = count
        openblas_set_num_threads(Int32(count))
    }
}

/// Runs `body` over `0..<total` split into contiguous chunks of at least `minimumPerChunk`, one per compute
/// thread (``ComputeThreads/count``), concurrently; inline when one chunk suffices. The chunks must touch
/// disjoint memory.
func forEachChunk(of total: Int, minimumPerChunk: Int, _ body: (Range<Int>) -> Void) {
    let chunks = min(ComputeThreads.count, total / max(minimumPerChunk, 1))
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
