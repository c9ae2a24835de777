import CHDF5
import Foundation
import Synchronization

/// Reads every HDF5 file's metadata once in a child process before this process opens it, so that damaged
/// metadata that crashes or hangs libhdf5 itself (libhdf5 1.10 trusts its object headers) ends in a clean
/// ``JetDataError/unreadableFile(file:reason:)`` instead of taking the program down.
///
/// A program turns it on with ``enable(timeout:)`` after calling ``serveIfChild()`` first thing in `main`: the
/// child is the same executable (`/proc/self/exe`) started with ``childVariable`` naming the file; it walks the
/// file's metadata (every object, attribute, dataset type, shape and chunk index: what JetTag's readers touch
/// before they read chunks, which ``ChunkDecoder`` checks itself) and exits 0, also when libhdf5 reports an
/// error, which the parent then meets and reports itself. A child killed by a signal, ending otherwise, or
/// running past the time bound marks the file as damaged. Each file (path, inode, size, modification time) is
/// checked once per process. `JETTAG_METADATA_CHECK=off` turns the check off; `JETTAG_METADATA_TIMEOUT` sets the
/// time bound in seconds (default 60; a file system that is slow to open files may need more).
public enum MetadataPreflight {
    /// The environment variable that makes a process the checking child (value: the file), or turns the check
    /// off (`off`).
    public static let childVariable = "JETTAG_METADATA_CHECK"

    private struct FileIdentity: Hashable {
        var path: String, device: UInt64, inode: UInt64, size: Int64, modified: Int
    }

    private struct State {
        var timeout: Double?
        var checked: Set<FileIdentity> = []
    }

    private static let state = Mutex(State())

    /// When this process is a checking child, walks the file's metadata and exits; otherwise returns at once.
    public static func serveIfChild() {
        guard let path = ProcessInfo.processInfo.environment[childVariable], path != "off" else { return }
        jt_h5_silence_errors()
        if let file = try? HDF5File(readingAt: path) { file.walkMetadata() }
        exit(0)
    }

    /// The environment variable with the time bound in seconds.
    public static let timeoutVariable = "JETTAG_METADATA_TIMEOUT"

    /// Checks every file this process opens from now on, allowing the child `timeout` seconds per file (or those
    /// of `JETTAG_METADATA_TIMEOUT`); a no-op when `JETTAG_METADATA_CHECK=off`.
    ///
    /// - Throws: ``JetDataError/invalidOption(_:)`` for a `JETTAG_METADATA_TIMEOUT` that is not a number >= 0.
    public static func enable(timeout: Double = 60) throws {
        let environment = ProcessInfo.processInfo.environment
        guard environment[childVariable] != "off" else { return }
        var seconds = timeout
        if let text = environment[timeoutVariable] {
            guard let value = Double(text), value >= 0, value.isFinite else {
                throw JetDataError.invalidOption("\(timeoutVariable)=\(text) is not a number of seconds >= 0")
            }
            seconds = value
        }
        state.withLock { $0.timeout = seconds }
    }

    /// Runs the child on `path` unless checking is off or the file was checked already.
    ///
    /// - Throws: ``JetDataError/unreadableFile(file:reason:)`` when the child crashed or did not finish.
    static func check(_ path: String) throws {
        guard let timeout = state.withLock({ $0.timeout }), let identity = identity(of: path) else { return }
        guard !state.withLock({ $0.checked.contains(identity) }) else { return }
        if let problem = try runChild(path: path, timeout: timeout) {
            throw JetDataError.unreadableFile(
                file: path, reason: "libhdf5 \(problem) while a checking process read its metadata")
        }
        state.withLock { _ = $0.checked.insert(identity) }
    }

    private static func identity(of path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileIdentity(
            path: path, device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modified: Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec))
    }

    /// Starts the child and waits for it: nil when it exited 0, else what went wrong.
    private static func runChild(path: String, timeout: Double) throws -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        var environment = ProcessInfo.processInfo.environment
        environment[childVariable] = path
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil  // no child to run (a sandbox without /proc): the reader's own checks still apply
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return "did not finish within \(timeout) s (\(timeoutVariable))"
        }
        if process.terminationReason == .uncaughtSignal {
            return "crashed (signal \(process.terminationStatus))"
        }
        return process.terminationStatus == 0 ? nil : "failed (exit status \(process.terminationStatus))"
    }
}

extension HDF5File {
    /// Touches the metadata of every object in the file the way JetTag's readers do: object headers, every
    /// attribute (read in full when it holds strings), and each dataset's type, shape, storage and chunk index.
    /// Failures are ignored: the caller only wants to know whether libhdf5 survives it.
    func walkMetadata() {
        HDF5Lock.run {
            for object in ["/"] + visitObjects().map(\.name) {
                _ = H5Aexists_by_name(id, object, "label_names", jt_h5p_default())
                var info = H5O_info_t()
                guard H5Oget_info_by_name1(id, object, &info, jt_h5p_default()) >= 0 else { continue }
                for index in 0..<min(Int(info.num_attrs), 1 << 16) {
                    let attribute = H5Aopen_by_idx(
                        id, object, H5_INDEX_NAME, H5_ITER_INC, hsize_t(index), jt_h5p_default(), jt_h5p_default())
                    guard attribute >= 0 else { continue }
                    _ = try? HDF5Strings.read(attribute: attribute)
                    H5Aclose(attribute)
                }
                if info.type == H5O_TYPE_DATASET, let dataset = try? openDataset(object) {
                    _ = dataset.rawDataRegions()
                    _ = try? HDF5Strings.read(dataset: dataset.id)
                }
            }
        }
    }
}
