import Dispatch

/// Runs `body(index)` for every index in `0..<count` on up to `threads` threads, round-robin: index i
/// runs on worker `i % min(threads, count)`, and each worker runs its indices one after another.
///
/// `body` must only write to memory no other index (or, for per-worker scratch, no other worker) touches.
public func parallelFor(_ count: Int, threads: Int, _ body: (Int) -> Void) {
    let workers = min(max(threads, 1), count)
    guard workers > 1 else {
        for index in 0..<count { body(index) }
        return
    }
    // The caller guarantees disjoint writes, which Sendable checking cannot see.
    withoutActuallyEscaping(body) { body in
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: count, by: workers) { body(index) }
        }
    }
}
