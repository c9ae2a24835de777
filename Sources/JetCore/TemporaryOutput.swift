import Foundation

/// The temporary files of atomic writers: `.NAME.tmp-PID@HOST` (or `.NAME.tmp-PID-SUFFIX@HOST`) beside the output
/// `NAME`, renamed over it when complete. A process killed before that (`kill -9`, a power cut, a preempted batch
/// job) leaves its temporary file behind; ``sweepStale(beside:)`` removes those of processes of this host that no
/// longer exist. The host is in the name because on a shared file system the writers of one directory run on many
/// nodes, and a process ID says nothing about another node's processes.
public enum TemporaryOutput {
    /// The temporary path of process `processID` (this one by default) of this host for `path`; `suffix` tells
    /// apart several writers of one process.
    public static func path(for path: String, suffix: String? = nil, processID: pid_t = getpid()) -> String {
        let url = URL(fileURLWithPath: path)
        let name = "\(prefix(of: url.lastPathComponent))\(processID)" + (suffix.map { "-\($0)" } ?? "") + "@\(host)"
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Removes every temporary file of `path` left by a process of this host that is not alive (`kill(pid, 0)`
    /// fails with ESRCH); those of live processes (another job writing the same output, this process) and those
    /// of other hosts are kept. A name without a host (written before hosts were recorded) counts as this host's.
    /// Returns the paths removed. A directory that cannot be listed is left alone: the write itself reports it.
    @discardableResult
    public static func sweepStale(beside path: String) -> [String] {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        let prefix = prefix(of: url.lastPathComponent)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        var removed: [String] = []
        for name in names.sorted() where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            let writerHost = rest.lastIndex(of: "@").map { String(rest[rest.index(after: $0)...]) } ?? host
            guard writerHost == host, let pid = pid_t(digits), pid > 0, !isAlive(pid) else { continue }
            let stale = directory.appendingPathComponent(name).path
            if unlink(stale) == 0 { removed.append(stale) }
        }
        return removed
    }

    /// Whether a process `pid` of this host exists (one of another user counts as alive).
    public static func isAlive(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }

    /// This host's name as temporary file names record it (`gethostname`, `@` and `/` replaced).
    public static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name.replacingOccurrences(of: "@", with: "_").replacingOccurrences(of: "/", with: "_")
    }()

    private static func prefix(of name: String) -> String { ".\(name).tmp-" }
}
