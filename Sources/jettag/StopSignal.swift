import Foundation
import Synchronization

/// Set by SIGINT or SIGTERM; training polls it after every step, writes a checkpoint and exits non-zero.
let stopRequested = Atomic<Bool>(false)

enum StopSignal {
    /// Routes SIGINT and SIGTERM to ``stopRequested`` (a second signal still ends the process at once), and
    /// unblocks them in case the launching process blocked them (a spawned child inherits the signal mask).
    static func install() {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signalNumber in [SIGINT, SIGTERM] {
            sigaddset(&signals, signalNumber)
            signal(signalNumber) { number in
                if stopRequested.load(ordering: .relaxed) {
                    _exit(128 + number)
                }
                stopRequested.store(true, ordering: .relaxed)
            }
        }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }
}
