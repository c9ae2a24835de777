import Foundation
import JetData
import JetFeatures
import JetModels
import JetNN
import JetTestSupport
import Testing

@Suite struct TrainerTests {
    /// A small Deep Sets run on a synthetic file of `jets` separable jets.
    private func config(file: String, training: [String: Any]) throws -> RunConfig {
        var settings: [String: Any] = ["batchSize": 32, "epochs": 3, "learningRate": 0.01, "seed": 7, "patience": 0]
        for (key, value) in training { settings[key] = value }
        return try RunConfig.load(
            tree: [
                "data": ["files": [file], "split": ["validationFraction": 0.25, "seed": 3]],
                "features": ["maxConstituents": SyntheticJetFile.slots, "constituentVariables": ["deta", "dphi", "logptrel"]],
                "model": ["kind": "deepsets", "deepsets": ["constituentLayers": [16, 16], "headLayers": [16]]],
                "training": settings,
            ], file: "test.yaml")
    }

    private func syntheticFile(_ name: String, jets: Int = 320) throws -> (URL, String) {
        let directory = try SyntheticJetFile.temporaryDirectory(name)
        let path = directory.appendingPathComponent("jets.h5").path
        try SyntheticJetFile.write(to: path, count: jets, seed: 11)
        return (directory, path)
    }

    @Test func learnsSeparableJets() throws {
        let (directory, file) = try syntheticFile("learn")
        let config = try config(file: file, training: ["epochs": 4])
        #expect(config.classNames == ["background", "signal"])
        let data = try TrainingData.load(config: config)
        #expect(data.training.count + data.validation.count == 320)
        #expect(data.features.isStandardized)
        var trainer = try Trainer(config: config, data: data)
        let state = try trainer.train(directory: directory)
        #expect(state.history.count == 4)
        #expect(state.history[0].validationLoss > 0.3)
        #expect(state.history[3].validationLoss < 0.1)
        for name in ["model.h5", "last.h5", "history.csv", "history.json"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path), "\(name)")
        }
        let csv = try String(contentsOf: directory.appendingPathComponent("history.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 5)
    }

    @Test func interruptedRunContinuesToTheSameParameters() throws {
        let (directory, file) = try syntheticFile("resume")
        // SGD without momentum: the optimizer whose whole state JetNN lets a checkpoint restore (see Trainer).
        let config = try config(file: file, training: ["optimizer": "sgd", "momentum": 0, "schedule": ["kind": "cosine"]])
        let data = try TrainingData.load(config: config)

        var uninterrupted = try Trainer(config: config, data: data)
        let reference = try uninterrupted.train(directory: directory.appendingPathComponent("a"))

        let stopped = directory.appendingPathComponent("b")
        var first = try Trainer(config: config, data: data)
        var steps = 0
        #expect(throws: TrainingError.self) {
            try first.train(directory: stopped, shouldStop: {
                steps += 1
                return steps == 11  // inside the second epoch (8 steps per epoch)
            })
        }
        let checkpoint = try ModelFile.read(from: stopped.appendingPathComponent("last.h5").path)
        #expect(checkpoint.trainingState?.completedEpochs == 1)
        #expect(checkpoint.trainingState?.stepInEpoch == 3)
        var continued = try Trainer(config: config, data: data, checkpoint: checkpoint)
        let state = try continued.train(directory: stopped)
        #expect(continued.model.parameters.values == uninterrupted.model.parameters.values)
        #expect(state.history.map(\.validationLoss) == reference.history.map(\.validationLoss))
        #expect(state.history.map(\.trainingLoss) == reference.history.map(\.trainingLoss))
    }

    @Test func earlyStoppingEndsTheRunAndKeepsTheBestModel() throws {
        let (directory, file) = try syntheticFile("early")
        // A learning rate this large makes the validation loss go up after the first epochs.
        let config = try config(file: file, training: ["epochs": 12, "patience": 2, "learningRate": 0.5, "optimizer": "sgd"])
        var trainer = try Trainer(config: config, data: try TrainingData.load(config: config))
        let state = try trainer.train(directory: directory)
        let losses = state.history.map(\.validationLoss)
        let best = losses.indices.min { losses[$0] < losses[$1] }!
        #expect(state.bestEpoch == best + 1)
        #expect(state.stoppedEarly)
        #expect(state.history.count == state.bestEpoch + 2)
        let bestModel = try ModelFile.read(from: directory.appendingPathComponent("model.h5").path)
        let last = try ModelFile.read(from: directory.appendingPathComponent("last.h5").path)
        #expect(bestModel.trainingState == nil)
        #expect(last.trainingState?.finished == true)
        #expect(bestModel.members != last.members)
    }

    @Test func modelFileRoundTripGivesIdenticalScores() throws {
        let (directory, file) = try syntheticFile("roundtrip")
        let config = try config(file: file, training: ["epochs": 1])
        var trainer = try Trainer(config: config, data: try TrainingData.load(config: config))
        try trainer.train(directory: directory)
        let written = try trainer.checkpointFile(state: nil)
        let path = directory.appendingPathComponent("copy.h5").path
        try written.write(to: path)
        let read = try ModelFile.read(from: path)
        #expect(read.architecture == written.architecture)
        #expect(read.features == written.features)
        #expect(read.classNames == ["background", "signal"])
        #expect(read.members.map { $0.sorted { $0.name < $1.name } } == written.members.map { $0.sorted { $0.name < $1.name } })

        let stream = try JetStream(file: file, options: JetScorer(file: read).readOptions(batchSize: 100, threads: 1))
        let batch = try stream.readAll()
        var original = try JetScorer(file: written)
        var loaded = try JetScorer(file: read)
        let expected = try original.score(batch).probabilities
        #expect(try loaded.score(batch).probabilities == expected)
        #expect(expected.count == 2 * 320)
        // Probabilities of the two classes sum to one.
        #expect(stride(from: 0, to: expected.count, by: 2).allSatisfy { abs(expected[$0] + expected[$0 + 1] - 1) < 1e-6 })
    }

    @Test func modelFileRejectsOtherHDF5Files() throws {
        let (directory, file) = try syntheticFile("reject", jets: 8)
        #expect(throws: TrainingError.invalidModelFile(file: file, reason: "attribute 'format' is missing")) {
            try ModelFile.read(from: file)
        }
        _ = directory
    }

    @Test func jetSetPacksOnlyRealConstituents() throws {
        // Jets with 2, 0 and 3 real constituents in 3 slots; field a = 100 jet + 10 slot, b = a + 1.
        let multiplicities: [Int32] = [2, 0, 3]
        var a = [Float](repeating: 0, count: 9), mask = a
        for jet in 0..<3 {
            for slot in 0..<Int(multiplicities[jet]) {
                a[jet * 3 + slot] = Float(100 * jet + 10 * slot)
                mask[jet * 3 + slot] = 1
            }
        }
        let batch = JetBatch(
            count: 3, maxConstituents: 3, constituentFields: ["a": a, "b": a.map { $0 + 1 }], mask: mask,
            multiplicities: multiplicities, eventNumbers: [5, 6, 7], rows: [0, 1, 2], fileIndices: [0, 0, 0])
        let raw = ["a", "b"].map { VariableSpec($0, subtractBy: 0, multiplyBy: 1, clipMin: nil, clipMax: nil) }
        let extractor = try FeatureExtractor(spec: FeatureSpec(maxConstituents: 3, constituentVariables: raw))
        var set = JetSet(featureCount: 2, jetFeatureCount: 0)
        set.append(try extractor.extract(batch), labels: [0, 1, 0], weights: [1, 2, 3], eventNumbers: [5, 6, 7], fields: [:])
        #expect(set.offsets == [0, 2, 2, 5])
        let packed = set.batch([2, 1, 0])
        #expect(packed.offsets.offsets == [0, 3, 3, 5])
        #expect(packed.constituents.storage == [200, 201, 210, 211, 220, 221, 0, 1, 10, 11])
        let subset = set.subset([2, 2], weights: [4, 5])
        #expect(subset.eventNumbers == [7, 7])
        #expect(subset.batch(0..<2).constituents.storage == [200, 201, 210, 211, 220, 221, 200, 201, 210, 211, 220, 221])
    }
}
