import ArgumentParser
import Foundation
import JetTagKit

/// `jettag inspect FILE...`: datasets, layout and jet statistics of HDF5 files; tagger, classes, dropout and
/// calibration of JetTag model files; inputs, outputs and metadata of `.onnx` files.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the datasets, detected layout, jets, labels, weights and constituent counts of HDF5 files, "
            + "the tagger, classes, dropout and calibration of JetTag model files, "
            + "or the inputs, outputs and metadata of ONNX files (.onnx).")

    @Argument(help: "HDF5 files or quoted glob patterns to inspect.")
    var files: [String]

    @Flag(help: "Print machine-readable JSON (an array, one object per file).")
    var json = false

    @Option(help: "Threads for reading.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
        let paths = try expandFilePatterns(files)
        let onnxCount = paths.filter { $0.hasSuffix(".onnx") }.count
        if onnxCount > 0 {
            guard onnxCount == paths.count else {
                throw ValidationError("inspect takes HDF5 files or ONNX files (.onnx), not both in one call")
            }
            let inspections = try paths.map(ONNXInspection.inspect(path:))
            try show(inspections, report: inspections.map(\.report))
        } else if paths.allSatisfy(ModelInspection.isModelFile(path:)) {
            let inspections = try paths.map(ModelInspection.inspect(path:))
            try show(inspections, report: inspections.map(\.report))
        } else {
            let inspections = try paths.map { try FileInspection.inspect(path: $0, threads: threads) }
            try show(inspections, report: inspections.map(\.report))
        }
    }

    /// Prints JSON (with --json) or the reports separated by blank lines.
    private func show(_ inspections: some Encodable, report: [String]) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(inspections), as: UTF8.self))
        } else {
            print(report.joined(separator: "\n\n"))
        }
    }
}
