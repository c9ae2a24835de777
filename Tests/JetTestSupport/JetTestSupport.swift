import Foundation
import JetData

/// The package root (this file is Tests/JetTestSupport/JetTestSupport.swift).
public let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The JetDataTests fixtures (made by Tests/Scripts/make_data_fixtures.py), for tests of other targets.
public let dataFixtures = packageRoot.appendingPathComponent("Tests/JetDataTests/Fixtures")

/// The development sample `../shared/data/top_qcd_dev.h5`, present on the development machines only;
/// use with `.enabled(if: developmentSampleExists)` so a user's clone skips instead of failing.
public let developmentSample = packageRoot.appendingPathComponent("../shared/data/top_qcd_dev.h5").standardizedFileURL.path
public let developmentSampleExists = FileManager.default.fileExists(atPath: developmentSample)

/// A fresh directory under the system temporary directory, removed by `remove()`.
public struct TemporaryDirectory {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("jettag-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Runs the built `jettag` (next to the test bundle in .build/<configuration>/) with `arguments`, in this
/// process's environment with the `environment` variables added or replaced.
///
/// - Returns: exit status, standard output and standard error.
public func runJetTag(
    arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 60
) throws -> (status: Int32, stdout: String, stderr: String) {
    let result = try runProcess(jetTagExecutable(), arguments: arguments, environment: environment, timeout: timeout)
    return (result.status, result.stdout, result.stderr)
}

/// Runs `executable` with `arguments` like ``runJetTag(arguments:environment:timeout:)``, terminating it after
/// `timeout` seconds; `timedOut` says whether it had to be.
public func runProcess(
    _ executable: URL, arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 60
) throws -> (status: Int32, stdout: String, stderr: String, timedOut: Bool) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let output = Pipe(), error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let watched = process
    let timedOut = TimeoutFlag()
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
        if watched.isRunning {
            timedOut.set()
            watched.terminate()
        }
    }
    // read before waiting so a full pipe cannot block the child
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (
        process.terminationStatus, String(decoding: outputData, as: UTF8.self),
        String(decoding: errorData, as: UTF8.self), timedOut.value
    )
}

private final class TimeoutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set() { lock.withLock { flag = true } }
    var value: Bool { lock.withLock { flag } }
}

/// The process ID of a process that has ended: `/bin/true`, waited for (for tests of stale temporary files).
public func endedProcessID() throws -> Int32 {
    let finished = Process()
    finished.executableURL = URL(fileURLWithPath: "/bin/true")
    try finished.run()
    finished.waitUntilExit()
    return finished.processIdentifier
}

/// `.build/<configuration>/jettag`: the directory of the test bundle holds the built products.
public func jetTagExecutable() -> URL {
    let candidates = [Bundle.main.bundleURL] + Bundle.allBundles.map(\.bundleURL)
    for bundle in candidates {
        var directory = bundle
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("jettag")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
    }
    return packageRoot.appendingPathComponent(".build/debug/jettag")
}
