import Foundation
import JetCore
import JetTestSupport
import Testing

/// Runs `jettag ARGUMENTS --out OUTPUT`, sends SIGTERM once its temporary output exists (the command must still be
/// writing then: give it a small batch size), and expects exit code 130, the message naming the removed output,
/// and neither the temporary file nor the output left behind.
func expectTerminationRemovesTemporaryOutput(
    arguments: [String], output: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let process = Process()
    process.executableURL = jetTagExecutable()
    process.arguments = arguments + ["--out", output]
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let temporary = TemporaryOutput.path(for: output, processID: process.processIdentifier)
    let deadline = Date().addingTimeInterval(60)
    while process.isRunning && Date() < deadline && !FileManager.default.fileExists(atPath: temporary) {
        Thread.sleep(forTimeInterval: 0.005)
    }
    #expect(FileManager.default.fileExists(atPath: temporary), sourceLocation: sourceLocation)
    process.terminate()
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 130, "\(stderr)", sourceLocation: sourceLocation)
    #expect(stderr.contains("interrupted; the unfinished \(output) was removed"), "\(stderr)", sourceLocation: sourceLocation)
    #expect(!FileManager.default.fileExists(atPath: temporary), sourceLocation: sourceLocation)
    #expect(!FileManager.default.fileExists(atPath: output), sourceLocation: sourceLocation)
}
