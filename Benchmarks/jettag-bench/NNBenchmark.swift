import ArgumentParser
import CBLAS
import Foundation
import JetModels
import JetNN
import JetTagKit

/// `jettag-bench nn`: training and inference throughput of the PFN and the P-CNN on real jets, plus the sgemm
/// peak of this machine; Benchmarks/nn.sh runs it next to the same models in PyTorch and prints the ratios.
/// With `--config`, the model of a run config instead (the transformer and ParticleNet of Configs/top-*.yaml),
/// on a cache exported with the same config's features (`nn_torch.py export --config`).
///
/// Prints one JSON object per line (the format Benchmarks/nn_torch.py `table` reads).
struct NNBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nn",
        abstract: "PFN and 1D CNN (or a run config's model) training/inference throughput on the batch cache written by Benchmarks/nn_torch.py export.")

    @Option(help: "Batch cache written by `python3 Benchmarks/nn_torch.py export`.")
    var cache: String

    @Option(help: "Compute threads (JetNN's own split of each batch; also OpenBLAS's for the sgemm peak).")
    var threads = 1

    @Option(parsing: .upToNextOption, help: "Training batch sizes.")
    var trainBatches: [Int] = [256, 1024]

    @Option(parsing: .upToNextOption, help: "Inference batch sizes (the fastest is reported; JetTag may choose its own).")
    var inferenceBatches: [Int] = [32, 64, 128, 256, 1024]

    @Option(parsing: .upToNextOption, help: "Models to run: pfn, cnn.")
    var models = ["pfn", "cnn"]

    @Option(help: "Run config whose model is timed instead of --models (named by its model.kind).")
    var config: String?

    @Option(help: "Use the first this many jets of the cache (default: all).")
    var jets: Int?

    @Option(parsing: .upToNextOption, help: "What to time: train, infer (one alone is for profiling).")
    var modes = ["train", "infer"]

    @Option(help: "Seconds per timing window.")
    var window = 2.0

    @Option(help: "Timing windows per measurement; the best is reported.")
    var repeats = 2

    func run() throws {
        ComputeThreads.set(threads)
        let data = try BenchmarkJets(path: cache, jets: jets)
        emit(["side": "jettag", "mode": "sgemm", "threads": threads, "gflops": sgemmPeak()])
        if let config {
            let architecture = try RunConfig.load(path: config).model
            let inputFeatures = [
                architecture.deepsets?.inputFeatures, architecture.cnn1d?.inputFeatures,
                architecture.transformer?.inputFeatures, architecture.particlenet?.inputFeatures,
            ].compactMap { $0 }.first
            guard inputFeatures == data.features else {
                throw ValidationError(
                    "\(config): the model takes \(inputFeatures ?? 0) constituent features, \(cache) has \(data.features); "
                        + "export the cache with `nn_torch.py export --config \(config)`")
            }
            return try measure(architecture.kind.rawValue, try architecture.makeModel(seed: 0), flops: nil, data: data)
        }
        let features = data.features
        let pfn = DeepSetsConfig(
            inputFeatures: features, constituentLayers: [100, 100, 128], pooling: .sum, headLayers: [100, 100, 100])
        let cnn = CNN1DConfig(inputFeatures: features, channels: [64, 64, 128, 128], kernelSize: 3, batchNorm: true, headLayers: [128])
        if models.contains("pfn") { try measure("pfn", try DeepSetsModel(config: pfn), flops: FlopCount(pfn), data: data) }
        if models.contains("cnn") { try measure("cnn", try CNN1DModel(config: cnn), flops: FlopCount(cnn), data: data) }
    }

    /// Emits the training rate per batch size and the inference rate per batch size; `flops` (nil: not counted)
    /// gives the GFLOP/s.
    private func measure<Model: JetModel>(_ name: String, _ initial: Model, flops: FlopCount?, data: BenchmarkJets) throws {
        for batchSize in trainBatches where modes.contains("train") {
            var model = initial
            var optimizer = Adam(learningRate: 1e-3)
            let starts = Array(stride(from: 0, through: data.count - batchSize, by: batchSize))
            var cursor = 0
            var dLogits = Matrix(rows: 0, columns: 0)
            var constituents = 0
            let loss = BinaryCrossEntropy()
            let step = {
                let start = starts[cursor % starts.count]
                cursor += 1
                let (jets, labels) = try data.batch(start..<(start + batchSize))
                constituents += jets.constituents.rows
                model.parameters.zeroGradients()
                let logits = try model.forward(jets, training: true)
                _ = loss.loss(logits: logits, targets: labels, dLogits: &dLogits)
                model.backward(dLogits: dLogits, computeInputGradient: false)
                optimizer.step(&model.parameters)
            }
            for _ in 0..<3 { try step() }
            constituents = 0
            let (rate, calls, seconds) = try bestRate(itemsPerCall: batchSize, step)
            let meanConstituents = Double(constituents) / Double((cursor - 3) * batchSize)
            var record: [String: Any] = [
                "side": "jettag", "model": name, "threads": threads, "mode": "train", "batch": batchSize,
                "jets_per_s": rate, "steps_per_s": rate / Double(batchSize),
            ]
            if let flops {
                record["gflops"] = Double(calls) * flops.training(jets: batchSize, constituents: meanConstituents) / seconds / 1e9
            }
            emit(record)
        }
        for batchSize in inferenceBatches where modes.contains("infer") {
            let pass = {
                _ = try initial.inferenceLogits(jetCount: data.count, jetsPerForward: batchSize) { try data.batch($0).0 }
            }
            try pass()
            let (rate, _, _) = try bestRate(itemsPerCall: data.count, pass)
            var record: [String: Any] = [
                "side": "jettag", "model": name, "threads": threads, "mode": "infer", "batch": batchSize, "jets_per_s": rate,
            ]
            if let flops { record["gflops"] = rate * flops.inference(jets: 1, constituents: data.meanMultiplicity) / 1e9 }
            emit(record)
        }
    }

    /// Best items/s over `repeats` windows of at least `window` seconds; also the calls and seconds of that window.
    private func bestRate(itemsPerCall: Int, _ body: () throws -> Void) throws -> (Double, Int, Double) {
        var best = (0.0, 0, 1.0)
        for _ in 0..<repeats {
            var calls = 0
            let start = DispatchTime.now().uptimeNanoseconds
            var elapsed = 0.0
            repeat {
                try body()
                calls += 1
                elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            } while elapsed < window
            let rate = Double(calls * itemsPerCall) / elapsed
            if rate > best.0 { best = (rate, calls, elapsed) }
        }
        return best
    }

    /// GFLOP/s of one large square sgemm (best of 3) on OpenBLAS's own `threads` threads: the machine's
    /// matrix-product peak with this BLAS. (JetNN keeps OpenBLAS at one thread and splits batches itself.)
    private func sgemmPeak() -> Double {
        openblas_set_num_threads(Int32(threads))
        defer { ComputeThreads.set(threads) }
        let n = 2048
        let a = [Float](repeating: 0.5, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        var best = 0.0
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), a, Int32(n), 0, &c, Int32(n))
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = max(best, 2 * Double(n * n * n) / seconds / 1e9)
        }
        return best
    }

    private func emit(_ object: [String: Any]) {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}

/// Matrix-product FLOPs of a model, counting valid constituents only (element-wise work is not counted).
struct FlopCount {
    /// Forward FLOPs per valid constituent, per jet, and of the first per-constituent layer (whose input gradient
    /// training does not need).
    var perConstituent: Double
    var perJet: Double
    var firstLayer: Double

    init(_ config: DeepSetsConfig) {
        let sizes = [config.inputFeatures] + config.constituentLayers
        perConstituent = zip(sizes, sizes.dropFirst()).reduce(0) { $0 + 2 * Double($1.0 * $1.1) }
        firstLayer = 2 * Double(sizes[0] * sizes[1])
        perJet = Self.head(inputCount: sizes[sizes.count - 1] + config.jetFeatures, config.headLayers, config.logitCount)
    }

    init(_ config: CNN1DConfig) {
        let sizes = [config.inputFeatures] + config.channels
        let k = config.kernelSize
        perConstituent = zip(sizes, sizes.dropFirst()).reduce(0) { $0 + 2 * Double(k * $1.0 * $1.1) }
        firstLayer = 2 * Double(k * sizes[0] * sizes[1])
        perJet = Self.head(inputCount: sizes[sizes.count - 1], config.headLayers, config.logitCount)
    }

    private static func head(inputCount: Int, _ hidden: [Int], _ outputs: Int) -> Double {
        let sizes = [inputCount] + hidden + [outputs]
        return zip(sizes, sizes.dropFirst()).reduce(0) { $0 + 2 * Double($1.0 * $1.1) }
    }

    func inference(jets: Int, constituents: Double) -> Double {
        Double(jets) * (perJet + constituents * perConstituent)
    }

    /// Forward, weight gradients and input gradients (none for the first layer).
    func training(jets: Int, constituents: Double) -> Double {
        3 * inference(jets: jets, constituents: constituents) - constituents * firstLayer
    }
}

/// The jets of a benchmark cache (layout documented in Benchmarks/nn_torch.py): padded [jets, P, F] features,
/// multiplicities and labels.
struct BenchmarkJets {
    let count: Int
    let slots: Int
    let features: Int
    let multiplicities: [Int32]
    let labels: [Float]
    let padded: [Float]

    /// The cache at `path`, its first `jets` jets when given.
    init(path: String, jets: Int? = nil) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("\(path): cannot read the batch cache; run Benchmarks/nn.sh (it writes it)")
        }
        guard data.count >= 20, String(decoding: data.prefix(8), as: UTF8.self) == "JTNNB001" else {
            throw ValidationError("\(path): not a benchmark cache (bad magic); re-run Benchmarks/nn.sh")
        }
        func int32(at offset: Int) -> Int { Int(data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Int32.self) }) }
        let stored: Int
        (stored, slots, features) = (int32(at: 8), int32(at: 12), int32(at: 16))
        let expected = 20 + 8 * stored + 4 * stored * slots * features
        guard data.count == expected else {
            throw ValidationError("\(path): \(data.count) bytes, the header promises \(expected); re-run Benchmarks/nn.sh")
        }
        func array<T>(_ type: T.Type, at offset: Int, count: Int) -> [T] {
            data.withUnsafeBytes { raw in
                (0..<count).map { raw.loadUnaligned(fromByteOffset: offset + $0 * MemoryLayout<T>.size, as: T.self) }
            }
        }
        if let jets, !(1...stored).contains(jets) { throw ValidationError("--jets \(jets): the cache has \(stored) jets") }
        count = jets ?? stored
        multiplicities = array(Int32.self, at: 20, count: count)
        labels = array(Float.self, at: 20 + 4 * stored, count: count)
        padded = array(Float.self, at: 20 + 8 * stored, count: count * slots * features)
    }

    var meanMultiplicity: Double { Double(multiplicities.reduce(0) { $0 + Int($1) }) / Double(count) }

    /// Jets `range` packed (the packing is part of every timed step), and their labels.
    func batch(_ range: Range<Int>) throws -> (PackedJets, [Float]) {
        let offsets = try JetOffsets(multiplicities: Array(multiplicities[range]), maxConstituents: slots)
        var constituents = Matrix(rows: offsets.constituentCount, columns: features)
        let (slots, features) = (slots, features)
        constituents.storage.withUnsafeMutableBufferPointer { out in
            padded.withUnsafeBufferPointer { all in
                for (jet, index) in range.enumerated() {
                    (out.baseAddress! + offsets.offsets[jet] * features).update(
                        from: all.baseAddress! + index * slots * features, count: offsets.multiplicity(of: jet) * features)
                }
            }
        }
        return (PackedJets(constituents: constituents, offsets: offsets), Array(labels[range]))
    }
}
