import Foundation
import JetCore

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive `flock` on `RUN/.lock`, held while the value lives, so that two runs never write into one
/// directory at once. The lock goes with the process (even after `kill -9`), the empty `.lock` file stays.
final class RunDirectoryLock {
    private let descriptor: Int32

    /// Creates `directory` (with its parents) and takes the lock without waiting.
    ///
    /// - Throws: ``JetModelsError/runDirectoryBusy(directory:)`` when another process holds it;
    ///   ``JetModelsError/invalidData(_:)`` naming the directory when it cannot be created or the lock file opened.
    init(directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw JetModelsError.invalidData(
                "cannot create the run directory \(directory.path): \(FileSystemError.reason(of: error))")
        }
        let path = directory.appendingPathComponent(".lock").path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw JetModelsError.invalidData("cannot open \(path): \(FileSystemError.reason(errno: errno))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            close(descriptor)
            if busy { throw JetModelsError.runDirectoryBusy(directory: directory.path) }
            throw JetModelsError.invalidData("cannot lock \(path): \(reason)")
        }
    }

    deinit { close(descriptor) }
}
