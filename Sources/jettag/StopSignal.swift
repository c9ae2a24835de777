import ArgumentParser
import Foundation
import JetTagKit
import Synchronization

/// Set by SIGINT, SIGTERM or SIGUSR1 (Slurm's warning before the time limit, `--signal=USR1@SECONDS`); training
/// polls it after every step, writes a checkpoint and exits non-zero;
/// predict and reweight apply poll it between batches, remove their unfinished output and exit 130.
let stopRequested = Atomic<Bool>(false)

enum StopSignal {
    /// Routes SIGINT, SIGTERM and SIGUSR1 to ``stopRequested`` (a second signal still ends the process at once), and
    /// unblocks them in case the launching process blocked them (a spawned child inherits the signal mask).
    static func install() {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signalNumber in [SIGINT, SIGTERM, SIGUSR1] {
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

    /// Whether a signal arrived; the `shouldStop` of the kit's runs.
    static func requested() -> Bool { stopRequested.load(ordering: .relaxed) }

    /// Runs a streaming command with the signals installed; a run stopped by one (the kit's
    /// ``JetTagKitError/interrupted(output:)``) prints why and ends with exit code 130.
    static func runningStoppable<T>(_ body: (_ shouldStop: () -> Bool) throws -> T) throws -> T {
        install()
        do {
            return try body(requested)
        } catch JetTagKitError.interrupted(let output) {
            FileHandle.standardError.write(Data("\n\(JetTagKitError.interrupted(output: output))\n".utf8))
            throw ExitCode(130)
        }
    }
}
