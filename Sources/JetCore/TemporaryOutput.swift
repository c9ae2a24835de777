import Foundation

/// The temporary files of atomic writers: `.NAME.tmp-PID` (or `.NAME.tmp-PID-SUFFIX`) beside the output `NAME`,
/// renamed over it when complete. A process killed before that (`kill -9`, a power cut) leaves its temporary file
/// behind; ``sweepStale(beside:)`` removes those of processes that no longer exist.
public enum TemporaryOutput {
    /// The temporary path of this process for `path`; `suffix` tells apart several writers of one process.
    public static func path(for path: String, suffix: String? = nil) -> String {
        let url = URL(fileURLWithPath: path)
        let name = "\(prefix(of: url.lastPathComponent))\(getpid())" + (suffix.map { "-\($0)" } ?? "")
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Removes every `.NAME.tmp-PID…` beside `path` whose process is not alive (`kill(pid, 0)` fails with ESRCH);
    /// those of live processes (another job writing the same output, this process) are kept. Returns the paths
    /// removed. A directory that cannot be listed is left alone: the write itself reports it.
    @discardableResult
    public static func sweepStale(beside path: String) -> [String] {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        let prefix = prefix(of: url.lastPathComponent)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        var removed: [String] = []
        for name in names.sorted() where name.hasPrefix(prefix) {
            let digits = name.dropFirst(prefix.count).prefix { $0.isASCII && $0.isNumber }
            guard let pid = pid_t(digits), pid > 0, !isAlive(pid) else { continue }
            let stale = directory.appendingPathComponent(name).path
            if unlink(stale) == 0 { removed.append(stale) }
        }
        return removed
    }

    /// Whether a process `pid` exists (one of another user counts as alive).
    public static func isAlive(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }

    private static func prefix(of name: String) -> String { ".\(name).tmp-" }
}
