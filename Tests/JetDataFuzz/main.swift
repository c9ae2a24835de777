// jettag-fuzz: a seeded mutation campaign over the HDF5 metadata of Datasets/top_qcd_sample.h5.
//
//   jettag-fuzz campaign SECONDS SEED [OUTPUT_DIRECTORY]   mutations seed, seed+1, ... until SECONDS have passed;
//                                                          each is read by a child process with a time bound; the
//                                                          recipe of every crash, hang or silently different result
//                                                          is written to OUTPUT_DIRECTORY (default fuzz-findings)
//   jettag-fuzz check RECIPE.json                          reads one damaged copy in this process; exit 0 when the
//                                                          result is a JetDataError or the original values, 3 if not
//
// Exit status of `campaign`: 0 when every mutation gave a clean error or the original values, 1 otherwise.
import Foundation
import JetData
import JetTestSupport

let timeoutSeconds = 30.0

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

func check(recipe: String) throws -> Never {
    let mutation = try JSONDecoder().decode(MetadataMutation.self, from: Data(contentsOf: URL(fileURLWithPath: recipe)))
    let checker = try MutationChecker()
    let outcome = try checker.check(mutation, at: recipe + ".h5")
    try? FileManager.default.removeItem(atPath: recipe + ".h5")
    print(outcome)
    exit(outcome.isAcceptable ? 0 : 3)
}

/// Runs `check` on `recipe` in a child process: its verdict, or the crash or hang.
func runChild(recipe: String) throws -> (acceptable: Bool, verdict: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    process.arguments = ["check", recipe]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let started = Date()
    let child = process.processIdentifier
    let killer = DispatchWorkItem { kill(child, SIGKILL) }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds, execute: killer)
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    killer.cancel()
    let lastLine = text.split(separator: "\n").last.map(String.init) ?? ""
    if process.terminationReason == .uncaughtSignal, process.terminationStatus == SIGKILL,
        Date().timeIntervalSince(started) >= timeoutSeconds
    { return (false, "hang: no result after \(Int(timeoutSeconds)) s") }
    if process.terminationReason == .uncaughtSignal {
        return (false, "crash: signal \(process.terminationStatus); " + text.split(separator: "\n").prefix(3).joined(separator: " | "))
    }
    switch process.terminationStatus {
    case 0: return (true, lastLine)
    case 3: return (false, lastLine)
    default: return (false, "exit \(process.terminationStatus): " + text.split(separator: "\n").prefix(3).joined(separator: " | "))
    }
}

func campaign(seconds: Double, seed: UInt64, output: String) throws -> Never {
    let checker = try MutationChecker()
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("jettag-fuzz-\(getpid())")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    let metadataBytes = checker.metadata.reduce(0) { $0 + $1.count }
    print("metadata: \(metadataBytes) of \(checker.original.count) bytes in \(checker.metadata.count) regions")
    let start = Date()
    var counts: [String: Int] = [:]
    var failures = 0, done = 0
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    while Date().timeIntervalSince(start) < seconds {
        let current = seed &+ UInt64(done)
        var mutation = MetadataMutation.random(seed: current, metadata: checker.metadata, original: checker.original)
        let recipe = scratch.appendingPathComponent("\(current).json").path
        try encoder.encode(mutation).write(to: URL(fileURLWithPath: recipe))
        let (acceptable, verdict) = try runChild(recipe: recipe)
        done += 1
        let kind = acceptable ? String(verdict.prefix { $0 != ":" }) : "FAILURE"
        counts[kind, default: 0] += 1
        if !acceptable {
            failures += 1
            mutation.note = verdict
            try encoder.encode(mutation).write(to: URL(fileURLWithPath: output + "/\(current).json"))
            print("seed \(current): \(verdict)")
        }
    }
    let elapsed = Date().timeIntervalSince(start)
    print(String(format: "%d mutations in %.1f s (%.2f s each): ", done, elapsed, elapsed / Double(max(done, 1)))
        + counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
    exit(failures == 0 ? 0 : 1)
}

// the metadata of every damaged copy is read in a child first, as jettag does
MetadataPreflight.serveIfChild()
let arguments = Array(CommandLine.arguments.dropFirst())
do {
    try MetadataPreflight.enable(timeout: timeoutSeconds / 2)
    switch arguments.first {
    case "check" where arguments.count == 2:
        try check(recipe: arguments[1])
    case "campaign" where (3...4).contains(arguments.count):
        guard let seconds = Double(arguments[1]), let seed = UInt64(arguments[2]) else { fail("SECONDS and SEED must be numbers") }
        try campaign(seconds: seconds, seed: seed, output: arguments.count == 4 ? arguments[3] : "fuzz-findings")
    default:
        fail("usage: jettag-fuzz campaign SECONDS SEED [OUTPUT_DIRECTORY] | jettag-fuzz check RECIPE.json")
    }
} catch {
    fail("jettag-fuzz: \(error)")
}
