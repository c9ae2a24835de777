import ArgumentParser
import Foundation
import JetTagKit

/// `jettag inspect FILE...`: datasets, layout and jet statistics of HDF5 files.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the datasets, detected layout, jets, labels, weights and constituent counts of HDF5 files.")

    @Argument(help: "HDF5 files or quoted glob patterns to inspect.")
    var files: [String]

    @Flag(help: "Print machine-readable JSON (an array, one object per file).")
    var json = false

    @Option(help: "Threads for reading.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
        let inspections = try expandFilePatterns(files).map { try FileInspection.inspect(path: $0, threads: threads) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(inspections), as: UTF8.self))
        } else {
            print(inspections.map(\.report).joined(separator: "\n\n"))
        }
    }
}
