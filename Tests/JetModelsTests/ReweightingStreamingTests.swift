import Foundation
import JetData
import JetFeatures
@testable import JetModels
import JetNN
import JetTestSupport
import Testing

/// `jettag reweight train` streamed from its scratch file (`data.inMemory: false`) against the in-memory path.
@Suite struct ReweightingStreamingTests {
    /// A sample of `count` jets in the columns layout: pt 500..1000, signed weights (about one in eight
    /// negative), 2 to 8 constituents spread over |deta|, |dphi| < `spread`; event numbers from `firstEventNumber`.
    private func writeSample(to path: String, count: Int, seed: UInt64, spread: Float, firstEventNumber: Int) throws {
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        func uniform() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24)
        }
        let slots = 8
        var columns: [String: [Float]] = [:]
        for name in ["part_pt", "part_eta", "part_phi", "part_energy", "part_mask"] {
            columns[name] = [Float](repeating: 0, count: count * slots)
        }
        for jet in 0..<count {
            let pt = 500 + 500 * uniform()
            columns["jet_pt", default: []].append(pt)
            columns["jet_energy", default: []].append(1.1 * pt)
            columns["jet_weight", default: []].append((uniform() < 0.125 ? -1 : 1) * (0.5 + uniform()))
            for slot in 0..<(2 + Int(uniform() * 7)) {
                let index = jet * slots + slot
                let constituentPt = pt / Float(4 + slot) * (0.8 + 0.4 * uniform())
                columns["part_pt"]![index] = constituentPt
                columns["part_energy"]![index] = 1.2 * constituentPt
                columns["part_eta"]![index] = spread * (2 * uniform() - 1)
                columns["part_phi"]![index] = spread * (2 * uniform() - 1)
                columns["part_mask"]![index] = 1
            }
        }
        let writer = try HDF5FileWriter(path: path)
        for name in ["jet_pt", "jet_energy", "jet_weight"] { try writer.writeFloats(columns[name]!, shape: [count], to: name) }
        for name in ["jet_eta", "jet_phi"] { try writer.writeFloats([Float](repeating: 0, count: count), shape: [count], to: name) }
        try writer.writeFloats((0..<count).map { Float(firstEventNumber + $0) }, shape: [count], to: "event_number")
        for name in ["part_pt", "part_eta", "part_phi", "part_energy", "part_mask"] {
            try writer.writeFloats(columns[name]!, shape: [count, slots], to: name)
        }
        try writer.commit()
    }

    /// Source and target files of 600 jets each (different constituent spreads).
    private func samples() throws -> (TemporaryDirectory, source: String, target: String) {
        let directory = try TemporaryDirectory()
        let (source, target) = (directory.path("source.h5"), directory.path("target.h5"))
        try writeSample(to: source, count: 600, seed: 21, spread: 0.1, firstEventNumber: 1000)
        try writeSample(to: target, count: 600, seed: 22, spread: 0.2, firstEventNumber: 50_000)
        return (directory, source, target)
    }

    private func config(
        source: String, target: String, data: [String: Any], reweighting: [String: Any] = [:], model: [String: Any],
        training: [String: Any] = [:]
    ) throws -> ReweightingConfig {
        ComputeThreads.set(1)
        var options: [String: Any] = [
            "modulus": 8, "trainingFolds": [0, 1, 2], "validationFolds": [3], "heldOutFolds": [4, 5, 6, 7],
        ]
        for (key, value) in reweighting { options[key] = value }
        var settings: [String: Any] = ["batchSize": 32, "epochs": 2, "learningRate": 0.01, "seed": 3, "patience": 0]
        for (key, value) in training { settings[key] = value }
        return try ReweightingConfig.load(
            tree: [
                "source": ["files": [source], "weightField": "weight"],
                "target": ["files": [target], "weightField": "weight"],
                "reweighting": options, "data": data,
                "features": [
                    "maxConstituents": 8, "constituentVariables": ["deta", "dphi", "logptrel"],
                    "jetVariables": ["log_pt", "width", "multiplicity"],
                ],
                "model": model, "training": settings,
            ], file: "rw.yaml")
    }

    /// Runs `config` into `directory`: the info, the model file, every history (by member directory) and the
    /// notes; `atStep` is called on every training step.
    private func run(_ config: ReweightingConfig, in directory: URL, atStep: () -> Void = {}) throws -> (
        info: ReweightingInfo, model: ModelFile, histories: [String: String], notes: [String]
    ) {
        var notes: [String] = []
        let info = try ReweightingRun(config: config, directory: directory).run { _, event in
            switch event {
            case .note(let note): notes.append(note)
            case .step: atStep()
            default: break
            }
        }
        var histories: [String: String] = [:]
        let files = FileManager.default.enumerator(atPath: directory.path)!.compactMap { $0 as? String }
        for file in files where file.hasSuffix("history.csv") {
            // Epoch, losses, accuracy, learning rate: not the timings.
            histories[file] = try String(contentsOfFile: directory.appendingPathComponent(file).path, encoding: .utf8)
                .split(separator: "\n").map { $0.split(separator: ",").prefix(5).joined(separator: ",") }.joined(separator: "\n")
        }
        return (info, try ModelFile.read(from: directory.appendingPathComponent("model.h5").path), histories, notes)
    }

    private func scratchFiles(in directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasPrefix(".events.scratch") }
    }

    /// The settings of one streamed-against-in-memory comparison.
    enum Setting: String, CaseIterable, Sendable {
        /// An MLP with flattening and a cross-trained ensemble (signed weights).
        case crossTrainedEnsemble
        /// A Deep Sets (constituents in the scratch file) with `drop` and bootstrap replicas.
        case bootstrapReplicas
        /// An MLP with the Neural Resampler on both samples, flattening (of the resampled weights) and the calibration.
        case resampledAndCalibrated

        var model: [String: Any] {
            self == .bootstrapReplicas
                ? ["kind": "deepsets", "deepsets": ["constituentLayers": [8], "headLayers": [8]]]
                : ["kind": "mlp", "mlp": ["hiddenLayers": [16, 16]]]
        }

        var reweighting: [String: Any] {
            switch self {
            case .crossTrainedEnsemble: ["flattenIn": "pt", "crossTraining": true]
            case .bootstrapReplicas: ["negativeWeights": "drop", "bootstrap": 2]
            case .resampledAndCalibrated: ["negativeWeights": "resample", "flattenIn": "pt", "calibrate": true]
            }
        }

        var training: [String: Any] { self == .crossTrainedEnsemble ? ["ensemble": 2] : [:] }
    }

    /// With a buffer covering the selection, both paths train the same classifiers (and Neural Resamplers) bit for
    /// bit, with the same normalisation, calibration and resampling summary. The scratch file exists while the
    /// classifiers train and is gone after.
    @Test(arguments: Setting.allCases)
    func streamedEqualsInMemoryWhenTheBufferCoversTheSelection(setting: Setting) throws {
        let (directory, source, target) = try samples()
        defer { directory.remove() }
        let (model, reweighting, training) = (setting.model, setting.reweighting, setting.training)
        let held = try run(
            config(source: source, target: target, data: ["inMemory": true], reweighting: reweighting, model: model, training: training),
            in: directory.url.appendingPathComponent("held"))
        let streamedDirectory = directory.url.appendingPathComponent("streamed")
        var scratchSeen = false
        let streamed = try run(
            config(
                source: source, target: target, data: ["inMemory": false, "shuffleBuffer": 100_000], reweighting: reweighting,
                model: model, training: training),
            in: streamedDirectory, atStep: { scratchSeen = scratchSeen || scratchFiles(in: streamedDirectory).count == 1 })
        // the classifier, its two members or replicas, or the two resamplers
        #expect(held.histories.count == (setting == .crossTrainedEnsemble ? 2 : 3) && streamed.histories == held.histories)
        #expect(streamed.model.members == held.model.members && streamed.model.bootstrapReplicas == held.model.bootstrapReplicas)
        #expect(streamed.info.densityRatio == held.info.densityRatio)
        #expect(streamed.info.sourceWeightSum == held.info.sourceWeightSum)
        #expect(streamed.info.resampling == held.info.resampling)
        if setting == .resampledAndCalibrated {
            #expect(held.info.resampling.keys.sorted() == ["source", "target"] && held.info.resampling["source"]!.negativeBefore > 0)
            #expect(held.info.densityRatio.calibration != .identity)
        }
        #expect(held.notes.isEmpty && streamed.notes.contains { $0.contains("scratch file") })
        #expect(scratchSeen && scratchFiles(in: streamedDirectory).isEmpty)
    }

    /// A small buffer: the selection is cut into several chunks per part, every round holds source and target
    /// jets and at most about a buffer of them, and an epoch's rounds hold every selected jet once.
    @Test func roundsMixTheSamplesAndHoldAboutABuffer() throws {
        let (directory, source, target) = try samples()
        defer { directory.remove() }
        let config = try config(source: source, target: target, data: ["inMemory": false], model: ["kind": "mlp"])
        let spec = try ReweightingData.fittedFeatures(
            config.classifier.features, samples: [config.source, config.target], split: config.options.split([0, 1, 2]),
            threads: 1)
        let scratch = try ReweightingScratch.extract(
            source: config.source, target: config.target,
            splits: (config.options.split([0, 1, 2]), config.options.split([3])), extractor: try FeatureExtractor(spec: spec),
            constituents: false, observable: nil, directory: directory.url, threads: 1) { _, _, _ in }
        defer { scratch.remove() }
        #expect(scratchFiles(in: directory.url).count == 1)
        let selection = try ScratchSelection(
            scratch: scratch, parts: [0, 1], rule: .init(strategy: .signed, modulus: 8), shuffleBuffer: 100)
        #expect(selection.chunksPerPart >= 4)
        let read = try selection.makeRoundReader()
        var eventNumbers: [Int64] = []
        var previous: JetSet?  // each round refills the one before (as the stream's reader thread does)
        for round in selection.rounds(seed: 1, epoch: 0) {
            let (set, order) = try selection.read(round, with: read, reusing: previous)
            previous = set
            #expect(set.count <= 110 && Set(set.labels) == [0, 1] && order.sorted() == Array(0..<set.count))
            eventNumbers += set.eventNumbers
        }
        let all = (scratch.parts[0].blocks + scratch.parts[1].blocks).count
        #expect(all == 2 && eventNumbers.count == scratch.parts[0].jetCount + scratch.parts[1].jetCount)
        #expect(Set(eventNumbers).count == eventNumbers.count)
        scratch.remove()
        #expect(scratchFiles(in: directory.url).isEmpty)
    }

    /// Bad input: a missing weight field names the file and field, and leaves no scratch file; a truncated scratch
    /// file names itself.
    @Test func badInputIsNamedAndLeavesNoScratchFile() throws {
        let (directory, source, target) = try samples()
        defer { directory.remove() }
        var config = try config(source: source, target: target, data: ["inMemory": false], model: ["kind": "mlp"])
        config.target.weightField = "no_such_weight"
        let out = directory.url.appendingPathComponent("run")
        let error = #expect(throws: (any Error).self) { try ReweightingRun(config: config, directory: out).run() }
        let message = "\(error!)"
        #expect(message.contains("target.h5") && message.contains("no_such_weight"), "\(message)")
        #expect(scratchFiles(in: out).isEmpty)

        config.target.weightField = "weight"
        let spec = try ReweightingData.fittedFeatures(
            config.classifier.features, samples: [config.source], split: config.options.split([0, 1, 2]), threads: 1)
        let scratch = try ReweightingScratch.extract(
            source: config.source, target: config.target,
            splits: (config.options.split([0, 1, 2]), config.options.split([3])), extractor: try FeatureExtractor(spec: spec),
            constituents: false, observable: nil, directory: directory.url, threads: 1) { _, _, _ in }
        defer { scratch.remove() }
        truncate(scratch.path, 100)
        let truncated = #expect(throws: (any Error).self) {
            _ = try ScratchSelection(scratch: scratch, parts: [0, 1], rule: .init(strategy: .signed, modulus: 8), shuffleBuffer: 100)
        }
        #expect("\(truncated!)".contains(scratch.path) && "\(truncated!)".contains("truncated"), "\(truncated!)")
    }
}
