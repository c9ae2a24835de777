import Foundation
import JetTestSupport
import Testing

@testable import JetCore

@Suite struct TemporaryOutputTests {
    @Test func sweepRemovesTheTemporariesOfDeadProcessesOfThisHostOnly() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jetcore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let dead = try endedProcessID()
        #expect(!TemporaryOutput.isAlive(dead))
        #expect(TemporaryOutput.isAlive(getpid()))

        let output = directory.appendingPathComponent("scores.h5").path
        let host = TemporaryOutput.host
        let names = [
            ".scores.h5.tmp-\(dead)@\(host)", ".scores.h5.tmp-\(dead)-8F3A@\(host)", ".scores.h5.tmp-\(dead)",
            ".scores.h5.tmp-\(getpid())@\(host)", ".scores.h5.tmp-\(dead)@another-node.cluster",
            ".scores.h5.tmp-\(dead)-8F3A@another-node", ".other.h5.tmp-\(dead)@\(host)", ".scores.h5.tmp-abc",
        ]
        for name in names { try Data("x".utf8).write(to: directory.appendingPathComponent(name)) }
        let removed = TemporaryOutput.sweepStale(beside: output)
        #expect(removed.map { URL(fileURLWithPath: $0).lastPathComponent } == names[0..<3].sorted())
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == names[3...].sorted())
        #expect(TemporaryOutput.path(for: output) == directory.appendingPathComponent(names[3]).path)
        #expect(!host.isEmpty && !host.contains("@") && !host.contains("/"))
    }

    @Test func foundationErrorsBecomePlainWords() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jetcore-\(UUID().uuidString)")
        try Data("a file".utf8).write(to: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        let below = directory.appendingPathComponent("sub")
        #expect(throws: FileSystemError(
            path: below.path, action: "cannot create the directory",
            reason: "a part of the path is a file, not a directory")
        ) {
            try FileSystemError.wrapping(path: below.path, action: "cannot create the directory") {
                try FileManager.default.createDirectory(at: below, withIntermediateDirectories: true)
            }
        }
        #expect(throws: FileSystemError(path: "/nonexistent/x", action: "cannot read", reason: "no such file or directory")) {
            try FileSystemError.wrapping(path: "/nonexistent/x", action: "cannot read") {
                try Data(contentsOf: URL(fileURLWithPath: "/nonexistent/x"))
            }
        }
        #expect(FileSystemError.reason(of: CocoaError(.fileWriteOutOfSpace)) == "the disk is full")
        #expect(FileSystemError.reason(of: CocoaError(.fileWriteNoPermission)) == "permission denied")
    }
}
