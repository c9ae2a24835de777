import Foundation
import Synchronization

/// Set by SIGINT or SIGTERM; training polls it after every step, writes a checkpoint and exits non-zero.
let stopRequested = Atomic<Bool>(false)

enum StopSignal {
    /// Routes SIGINT and SIGTERM to ``stopRequested`` (a second signal still ends the process at once).
    static func install() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber) { number in
                if stopRequested.load(ordering: .relaxed) {
                    _exit(128 + number)
                }
                stopRequested.store(true, ordering: .relaxed)
            }
        }
    }
}
