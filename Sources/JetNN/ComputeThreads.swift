import CBLAS
import Foundation

/// The number of threads JetNN computes with: OpenBLAS's thread count and the split of JetNN's own
/// per-jet loops (im2col / col2im). One thread is the default; on a shared machine two rarely pay.
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
