import ArgumentParser
import Foundation
import JetData

/// `jettag-bench read FILE`: streams all jet fields and constituent pt, eta, phi, energy (+ mask) of a
/// compound-layout file into Float32 batches and prints the throughput; `Benchmarks/read.sh` runs it next
/// to the h5py reference `Benchmarks/read_h5py.py`.
struct ReadBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read", abstract: "Read throughput of the compound layout (jets/s, uncompressed MB/s).")

    @Argument(help: "A compound-layout HDF5 file, e.g. ../shared/data/top_qcd_dev.h5.")
    var file: String

    @Option(help: "Jets per batch.")
    var batchSize = 1000

    @Option(help: "Threads for inflating and converting.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Passes over the file; the fastest is reported.")
    var repeats = 3

    func run() throws {
        let jetFields = ["pt", "eta", "phi", "mass", "energy", "n_constituents", "label", "weight"]
        let options = JetReadOptions(
            jetFields: jetFields, constituentFields: ["pt", "eta", "phi", "energy"], batchSize: batchSize,
            threads: threads)
        let stream = try JetStream(file: file, options: options)
        let bytes = try uncompressedBytes()
        var best = Double.infinity
        var checksum: Double = 0
        for _ in 0..<repeats {
            stream.rewind()
            let start = DispatchTime.now().uptimeNanoseconds
            checksum = 0
            while let batch = try stream.next() {
                checksum += Double(batch.constituentFields["pt"]![0]) + Double(batch.multiplicities.last!)
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let jets = Double(stream.totalJets)
        print(String(
            format: "swift batch=%d threads=%d jets=%.0f seconds=%.4f jets_per_s=%.0f MB_per_s=%.1f peak_rss_MB=%.1f checksum=%.3f",
            batchSize, threads, jets, best, jets / best, Double(bytes) / best / 1e6, peakResidentMegabytes(), checksum))
    }

    /// Uncompressed size of the two datasets (rows x element size), the same figure the h5py side uses.
    private func uncompressedBytes() throws -> Int {
        let file = try HDF5File(readingAt: self.file)
        return try ["jets", "constituents"].map { name in
            let dataset = try file.dataset(name)
            return dataset.rowCount * dataset.rowSize
        }.reduce(0, +)
    }

    /// VmHWM of this process from /proc/self/status, in MB.
    private func peakResidentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return .nan }
        return kilobytes / 1024
    }
}
