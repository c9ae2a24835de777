import Foundation
import JetCore

/// Writes files so that they are either complete or absent: the bytes go to a temporary file in the
/// destination's directory, are flushed to disk, and the file is then renamed over the destination
/// (POSIX rename is atomic within one file system). Temporary files of dead processes beside the destination are
/// swept first; a failure says what happened in plain words (``FileSystemError/reason(of:)``).
public enum AtomicFile {
    /// Writes `data` to `url` atomically, replacing any existing file.
    public static func write(_ data: Data, to url: URL) throws(JetMetricsError) {
        TemporaryOutput.sweepStale(beside: url.path)
        let temporary = URL(fileURLWithPath: TemporaryOutput.path(for: url.path, suffix: UUID().uuidString))
        do {
            try data.write(to: temporary)
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .writeFailed(path: url.path, error: error)
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = FileSystemError.reason(errno: errno)
            try? FileManager.default.removeItem(at: temporary)
            throw .writeFailed(path: url.path, reason: "renaming the temporary file into place failed: \(reason)")
        }
    }

    /// Writes `text` as UTF-8 to `url` atomically.
    public static func write(_ text: String, to url: URL) throws(JetMetricsError) {
        try write(Data(text.utf8), to: url)
    }
}
