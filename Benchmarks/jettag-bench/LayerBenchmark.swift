import ArgumentParser
import Foundation
import JetCore
import JetNN

/// Forward + backward time of JetNN's per-constituent kernels on packed jets, against the same operations in
/// PyTorch on the padded [B, P, C] tensors a PyTorch model uses and, where PyTorch has the operation, on the
/// same packed rows (Benchmarks/reference/layers_pytorch.py). Every layer computes its input gradient.
struct LayerBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract: "JetNN kernels (Dense, Conv1D, BatchNorm, pooling) vs PyTorch, forward + backward per batch.")

    @Option(help: "Jets per batch.") var jets = 1024
    @Option(help: "Constituent slots per jet (P).") var slots = 200
    @Option(help: "Mean multiplicity; multiplicities are spread uniformly over mean +- 35.") var meanMultiplicity = 76
    @Option(help: "Compute threads for JetNN and for PyTorch.") var threads = 1
    @Option(help: "Timed repetitions (the median is reported).") var repetitions = 7
    @Option(help: "Python interpreter for the PyTorch side; empty to skip it.") var python = "python3"

    func run() throws {
        ComputeThreads.set(threads)
        var rng = SeededGenerator(seed: 1)
        let multiplicities = (0..<jets).map { _ in
            Int32(max(1, min(slots, meanMultiplicity - 35 + Int(rng.nextUniform() * 71))))
        }
        let offsets = try JetOffsets(multiplicities: multiplicities, maxConstituents: slots)
        let n = offsets.constituentCount
        print("B = \(jets), P = \(slots), N = \(n) packed constituents (\(String(format: "%.0f", 100 * Double(n) / Double(jets * slots)))% of the slots), threads \(threads)")

        var results: [(String, Double)] = []
        func measure(_ name: String, _ body: () -> Void) {
            body()
            var times: [Double] = []
            for _ in 0..<repetitions {
                let start = ContinuousClock.now
                body()
                let elapsed = ContinuousClock.now - start
                times.append(Double(elapsed.components.attoseconds) * 1e-15 + Double(elapsed.components.seconds) * 1e3)
            }
            results.append((name, times.sorted()[times.count / 2]))
        }

        var parameters = Parameters()
        for (name, inputCount, outputCount) in [("dense_7_100", 7, 100), ("dense_100_100", 100, 100), ("dense_100_128", 100, 128)] {
            var dense = Dense(name, inputCount: inputCount, outputCount: outputCount, parameters: &parameters, rng: &rng)
            let input = Matrix(rows: n, columns: inputCount, storage: (0..<(n * inputCount)).map { _ in rng.nextNormal() })
            let dOutput = Matrix(rows: n, columns: outputCount, repeating: 0.01)
            measure(name) {
                dense.forward(input, parameters: parameters)
                dense.backward(&parameters, dOutput: dOutput, input: input)
            }
        }
        let hidden = Matrix(rows: n, columns: 100, storage: (0..<(n * 100)).map { _ in rng.nextNormal() })
        let dHidden = Matrix(rows: n, columns: 100, repeating: 0.01)
        var relu = Activation(.relu)
        measure("relu_100") {
            relu.forward(hidden)
            relu.backward(dOutput: dHidden, input: hidden)
        }
        var norm = BatchNorm("bn", channels: 100, parameters: &parameters)
        measure("batchnorm_100") {
            norm.forward(hidden, parameters: &parameters, training: true)
            norm.backward(&parameters, dOutput: dHidden, input: hidden)
        }
        var pooling = SetPooling(.sum)
        let dPooled = Matrix(rows: jets, columns: 100, repeating: 0.01)
        measure("sum_pool_100") {
            pooling.forward(hidden, offsets: offsets)
            pooling.backward(dOutput: dPooled, offsets: offsets)
        }
        for (name, inputCount, kernelSize) in [("conv_7_64_k3", 7, 3), ("conv_64_64_k3", 64, 3), ("conv_64_64_k5", 64, 5)] {
            var conv = Conv1D(name, inputChannels: inputCount, outputChannels: 64, kernelSize: kernelSize, parameters: &parameters, rng: &rng)
            let input = Matrix(rows: n, columns: inputCount, storage: (0..<(n * inputCount)).map { _ in rng.nextNormal() })
            let dOutput = Matrix(rows: n, columns: 64, repeating: 0.01)
            measure(name) {
                conv.forward(input, offsets: offsets, parameters: parameters)
                conv.backward(&parameters, dOutput: dOutput, offsets: offsets)
            }
        }

        let reference = try pytorchTimes(multiplicities: multiplicities)
        print("operation (forward + backward)  JetNN ms | PyTorch padded ms  ratio | PyTorch packed ms  ratio")
        for (name, milliseconds) in results {
            var line = name.padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "%9.2f", milliseconds)
            for torch in reference[name] ?? [] {
                line += String(format: " | %17.2f %6.2fx", torch, torch / milliseconds)
            }
            print(line)
        }
    }

    /// Runs the PyTorch side with the same multiplicities; returns [padded, packed] milliseconds by operation name.
    private func pytorchTimes(multiplicities: [Int32]) throws -> [String: [Double]] {
        guard !python.isEmpty else { return [:] }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("reference/layers_pytorch.py").path
        let multiplicityFile = FileManager.default.temporaryDirectory.appendingPathComponent("jettag-bench-multiplicities-\(getpid()).txt")
        try multiplicities.map(String.init).joined(separator: "\n").write(to: multiplicityFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: multiplicityFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            python, script, "--multiplicities", multiplicityFile.path, "--slots", String(slots),
            "--threads", String(threads), "--repetitions", String(repetitions),
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("PyTorch reference failed (status \(process.terminationStatus)): \(script)")
        }
        var times: [String: [Double]] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ")
            if let name = parts.first { times[String(name)] = parts.dropFirst().compactMap { Double($0) } }
        }
        return times
    }
}
