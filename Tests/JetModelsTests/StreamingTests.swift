import Foundation
import JetData
import JetFeatures
@testable import JetModels
import JetNN
import JetTestSupport
import Testing

/// Streamed training (`data.inMemory: false`) against the in-memory path on two small synthetic files.
@Suite struct StreamingTests {
    /// Two files of 320 jets each (event numbers from 1000 and from 100000), a Deep Sets with dropout.
    private func files() throws -> (TemporaryDirectory, [String]) {
        let directory = try TemporaryDirectory()
        let paths = [directory.path("a.h5"), directory.path("b.h5")]
        try SyntheticJetFile.write(to: paths[0], count: 320, seed: 11, firstEventNumber: 1000)
        try SyntheticJetFile.write(to: paths[1], count: 320, seed: 12, firstEventNumber: 100_000)
        return (directory, paths)
    }

    private func config(
        files: [String], data: [String: Any] = [:], training: [String: Any] = [:], weights: [String: Any]? = nil
    ) throws -> RunConfig {
        ComputeThreads.set(1)
        var dataSection: [String: Any] = ["files": files, "split": ["validationFraction": 0.25, "seed": 3]]
        for (key, value) in data { dataSection[key] = value }
        var settings: [String: Any] = ["batchSize": 32, "epochs": 2, "learningRate": 0.01, "seed": 7, "patience": 0]
        for (key, value) in training { settings[key] = value }
        return try RunConfig.load(
            tree: [
                "data": dataSection,
                "features": [
                    "maxConstituents": SyntheticJetFile.slots, "constituentVariables": ["deta", "dphi", "logptrel"],
                ],
                "model": ["kind": "deepsets", "deepsets": ["constituentLayers": [16], "headLayers": [16], "dropout": 0.1]],
                "training": settings,
            ].merging(weights.map { ["weights": $0] } ?? [:]) { $1 }, file: "test.yaml"
        ).resolvingClassNames()
    }

    /// Runs `config` in `directory`; returns the model's parameters, the history's losses and the notes.
    private func train(_ config: RunConfig, in directory: URL) throws -> (
        members: [[NamedTensor]], history: [EpochRecord], notes: [String]
    ) {
        var notes: [String] = []
        let model = try TrainingRun(config: config, directory: directory).run { _, _, event in
            if case .note(let note) = event { notes.append(note) }
        }
        let state = try #require(try ModelFile.read(from: directory.appendingPathComponent("last.h5").path).trainingState)
        return (model.members, state.history, notes)
    }

    /// One shard; two data shards with `training.trainFraction` on top; and those with `pdf` resampling (jets
    /// drawn 0, 1, 2... times) and class balancing (a second pass).
    @Test(arguments: [(1, false), (2, false), (2, true)])
    func streamedEqualsInMemoryWhenTheBufferCoversTheSplit(dataShards: Int, resampled: Bool) throws {
        let training: [String: Any] = dataShards == 1 ? [:] : ["dataShards": dataShards, "trainFraction": 0.75]
        let weights: [String: Any]? = resampled
            ? ["weighting": [
                "method": "pdf", "seed": 5, "balanceClasses": true,
                "binning": ["axes": [["field": "pt", "edges": [0, 1000]]]],
            ]] : nil
        func config(files: [String], data: [String: Any], training: [String: Any]) throws -> RunConfig {
            try self.config(files: files, data: data, training: training, weights: weights)
        }
        let (temporary, paths) = try files()
        defer { temporary.remove() }
        let held = try train(
            try config(files: paths, data: ["inMemory": true], training: training), in: temporary.url.appendingPathComponent("held"))
        let streamed = try train(
            try config(files: paths, data: ["inMemory": false, "shuffleBuffer": 640], training: training),
            in: temporary.url.appendingPathComponent("streamed"))
        #expect(held.notes.isEmpty)
        #expect(streamed.notes.contains { $0.contains("fit the standardisation") }, "\(streamed.notes)")
        #expect(streamed.notes.contains { $0.contains("training split's jet fields") }, "\(streamed.notes)")
        #expect(streamed.notes.contains { $0.contains("second pass") } == resampled, "\(streamed.notes)")
        #expect(streamed.members == held.members, "parameters differ")
        #expect(streamed.history.map(\.validationLoss) == held.history.map(\.validationLoss))
        #expect(streamed.history.map(\.trainingLoss) == held.history.map(\.trainingLoss))
        // a smaller buffer shuffles differently: the comparison above can fail
        let small = try train(
            try config(files: paths, data: ["inMemory": false, "shuffleBuffer": 64], training: training),
            in: temporary.url.appendingPathComponent("small"))
        #expect(small.members != held.members)
        #expect(small.history.last!.validationLoss < 0.3, "a small buffer still learns: \(small.history)")
    }

    @Test func smallBufferMixesFilesInEveryBatch() throws {
        let (temporary, paths) = try files()
        defer { temporary.remove() }
        let config = try config(files: paths, data: ["inMemory": false, "shuffleBuffer": 64])
        let data = try StreamedTrainingData.open(config: config)
        let plan = data.training[0].plan
        #expect(plan.chunksPerFile == 10, "640 rows in rounds of at most 64")
        let held = try TrainingData.load(config: config)
        var orders: [[Int64]] = []
        for epoch in 0..<2 {
            let parts = try data.trainingParts(position: 0, epoch: epoch, seed: 7, partSize: 32, from: 0)
            var order: [Int64] = []
            while case let part = try parts.next(), part.count > 0 {
                let fromA = part.eventNumbers.filter { $0 < 100_000 }.count
                #expect(fromA > 0 && fromA < part.count, "epoch \(epoch): a batch of one file: \(part.eventNumbers)")
                order += part.eventNumbers
            }
            #expect(order.sorted() == held.training.eventNumbers.sorted(), "every training jet once per epoch")
            orders.append(order)
            // a continued run reads the same parts from step 3 on
            let resumed = try data.trainingParts(position: 0, epoch: epoch, seed: 7, partSize: 32, from: 3)
            #expect(try resumed.next().eventNumbers == Array(order[96..<128]))
        }
        #expect(orders[0] != orders[1], "each epoch has its own order")
        let validation = try data.validationBatches(position: 0, batchSize: 50)
        var validationOrder: [Int64] = []
        while case let part = try validation.next(), part.count > 0 { validationOrder += part.eventNumbers }
        #expect(validationOrder == held.validation.eventNumbers, "validation in file order")
    }

    @Test func continuedStreamedRunEndsWithTheUninterruptedModel() throws {
        let (temporary, paths) = try files()
        defer { temporary.remove() }
        let config = try config(files: paths, data: ["inMemory": false, "shuffleBuffer": 64])
        let data = try StreamedTrainingData.open(config: config)
        var whole = try Trainer(config: config, data: data)
        try whole.train(directory: temporary.url.appendingPathComponent("whole"))
        let run = temporary.url.appendingPathComponent("run")
        var first = try Trainer(config: config, data: data)
        var steps = 0
        #expect(throws: JetModelsError.self) {
            try first.train(directory: run, shouldStop: {
                steps += 1
                return steps == 20
            })
        }
        let checkpoint = try ModelFile.read(from: run.appendingPathComponent("last.h5").path)
        let state = try #require(checkpoint.trainingState)
        #expect(state.completedEpochs == 1 && state.stepInEpoch > 0, "stopped inside the second epoch: \(state)")
        var continued = try Trainer(config: config, data: data, checkpoint: checkpoint)
        try continued.train(directory: run)
        #expect(continued.checkpointFile(state: nil).members == whole.checkpointFile(state: nil).members)
    }

    @Test func truncatedFileStopsWithFileRowsAndCheckpoint() throws {
        let (temporary, paths) = try files()
        defer { temporary.remove() }
        let config = try config(files: paths, data: ["inMemory": false, "shuffleBuffer": 32])
        var trainer = try Trainer(config: config, data: try StreamedTrainingData.open(config: config))
        var steps = 0
        let size = try FileManager.default.attributesOfItem(atPath: paths[1])[.size] as! Int
        #expect {
            try trainer.train(directory: temporary.url.appendingPathComponent("run"), shouldStop: {
                steps += 1
                if steps == 2 {
                    let handle = FileHandle(forWritingAtPath: paths[1])!
                    try? handle.truncate(atOffset: UInt64(size / 2))
                    try? handle.close()
                }
                return false
            })
        } throws: { error in
            guard case .streamFailed(let reason, let checkpoint) = error as? JetModelsError else { return false }
            #expect(reason.contains(paths[1]) && reason.contains("reading rows") && reason.contains("dataset"), "\(reason)")
            let state = try? ModelFile.read(from: checkpoint).trainingState
            #expect(state?.globalStep == steps, "the checkpoint holds the last finished step")
            return checkpoint.hasSuffix("run/last.h5")
        }
    }
}
