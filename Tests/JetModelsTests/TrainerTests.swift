import Foundation
import JetData
import JetFeatures
@testable import JetModels
import JetNN
import JetTestSupport
import Testing

@Suite struct TrainerTests {
    /// A small Deep Sets run on a synthetic file of `jets` separable jets, with one BLAS thread (bit-for-bit
    /// comparisons below need the same BLAS kernels in both runs); the class names come from the file, as when a
    /// training run opens its data.
    private func config(
        file: String, training: [String: Any], dropout: Double = 0, model: [String: Any]? = nil
    ) throws -> RunConfig {
        ComputeThreads.set(1)
        var settings: [String: Any] = ["batchSize": 32, "epochs": 3, "learningRate": 0.01, "seed": 7, "patience": 0]
        for (key, value) in training { settings[key] = value }
        return try RunConfig.load(
            tree: [
                "data": ["files": [file], "split": ["validationFraction": 0.25, "seed": 3]],
                "features": [
                    "maxConstituents": SyntheticJetFile.slots, "constituentVariables": ["deta", "dphi", "logptrel"],
                ],
                "model": model ?? [
                    "kind": "deepsets",
                    "deepsets": ["constituentLayers": [16, 16], "headLayers": [16], "dropout": dropout],
                ],
                "training": settings,
            ], file: "test.yaml"
        ).resolvingClassNames()
    }

    /// A temporary directory holding `jets.h5` with `jets` synthetic jets.
    private func syntheticFile(jets: Int = 320) throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        let path = directory.path("jets.h5")
        try SyntheticJetFile.write(to: path, count: jets, seed: 11)
        return (directory, path)
    }

    @Test func learnsSeparableJets() throws {
        let (temporary, file) = try syntheticFile()
        defer { temporary.remove() }
        let directory = temporary.url
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

    @Test func accuracyCountsTheWeightOfCorrectlyClassifiedJets() {
        // One logit: > 0 predicts class 1. Jets 0 and 2 are right (weights 1 and 3), jet 1 wrong (weight 2).
        let one = Matrix(rows: 3, columns: 1, storage: [0.5, 0.2, -1])
        #expect(Trainer.accuracy(logits: one, labels: [1, 0, 0], weights: [1, 2, 3]) == 4.0 / 6.0)
        // Three logits: the largest wins.
        let three = Matrix(rows: 2, columns: 3, storage: [0, 2, 1, 5, -1, 0])
        #expect(Trainer.accuracy(logits: three, labels: [1, 2], weights: [1, 1]) == 0.5)
        #expect(Trainer.accuracy(logits: one, labels: [1, 0, 0], weights: [1, -1, 0]) == 0, "no positive weight sum")
    }

    @Test func theCheckpointMetricPicksTheBestEpochAndStopsEarly() throws {
        let (temporary, file) = try syntheticFile()
        defer { temporary.remove() }
        for metric in TrainingConfig.CheckpointMetric.allCases {
            let config = try config(file: file, training: ["epochs": 6, "checkpointMetric": metric.rawValue, "patience": 2])
            var trainer = try Trainer(config: config, data: try TrainingData.load(config: config))
            let directory = temporary.url.appendingPathComponent(metric.rawValue)
            let state = try trainer.train(directory: directory)
            let accuracies = state.history.map { try! #require($0.validationAccuracy) }
            #expect(accuracies.allSatisfy { (0...1).contains($0) })
            let best = switch metric {
            case .loss: state.history.indices.min { state.history[$0].validationLoss < state.history[$1].validationLoss }!
            case .accuracy: accuracies.indices.max { accuracies[$0] < accuracies[$1] || (accuracies[$0] == accuracies[$1] && $0 > $1) }!
            }
            #expect(state.bestEpoch == best + 1, "\(metric)")
            #expect(state.stoppedEarly == (state.history.count < 6))
            if state.stoppedEarly { #expect(state.history.count - state.bestEpoch == 2, "\(metric): patience 2") }
            let csv = try String(contentsOf: directory.appendingPathComponent("history.csv"), encoding: .utf8)
            #expect(csv.hasPrefix("epoch,training_loss,validation_loss,validation_accuracy,"))
        }
    }

    /// The fitted standardisation and its clipping are what training sees, what the model file stores and what the
    /// scorer (predict, evaluate) applies: scoring the validation jets from the file gives the probabilities of the
    /// trained model on the training run's own inputs.
    @Test func robustStandardisationAndClippingTravelWithTheModel() throws {
        let (temporary, file) = try syntheticFile()
        defer { temporary.remove() }
        var config = try config(file: file, training: ["epochs": 1])
        config.features.standardization = .robust
        config.features.constituentVariables = config.features.constituentVariables.map {
            VariableSpec($0.name, clipMin: -0.5, clipMax: 0.5)
        }
        let data = try TrainingData.load(config: config)
        let inputs = data.training.inputs.constituents.storage + data.validation.inputs.constituents.storage
        #expect(inputs.allSatisfy { (-0.5...0.5).contains($0) })
        #expect(inputs.contains(-0.5) && inputs.contains(0.5), "the tight bounds clip some inputs")
        var trainer = try Trainer(config: config, data: data)
        try trainer.train(directory: temporary.url.appendingPathComponent("run"))
        let saved = try ModelFile.read(from: temporary.url.appendingPathComponent("run/model.h5").path)
        #expect(saved.features == data.features)
        #expect(saved.features.standardization == .robust)
        #expect(saved.features.constituentVariables.allSatisfy { $0.clipMin == -0.5 && $0.clipMax == 0.5 })

        let scorer = try JetScorer(file: saved)
        var options = scorer.readOptions(batchSize: 1_000, threads: 1)
        options.split = config.data.split.splits.validation
        let stream = try JetStream(files: [file], options: options)
        var scored: [Float] = []
        while let batch = try stream.next() { scored += try scorer.score(batch).probabilities }
        var model = try saved.makeModels()[0]
        let logits = try model.forward(data.validation.batch(0..<data.validation.count), training: false)
        let expected = JetScorer.probabilities(logits: logits)
        #expect(scored.count == expected.count)
        #expect(zip(scored, expected).allSatisfy { abs($0 - $1) <= 1e-6 })
    }

    @Test func sameSeedSameModelOtherSeedOtherModel() throws {
        let (temporary, file) = try syntheticFile(jets: 96)
        defer { temporary.remove() }
        let config = try config(file: file, training: ["epochs": 1])
        let data = try TrainingData.load(config: config)
        var first = try Trainer(config: config, data: data)
        var second = try Trainer(config: config, data: data)
        try first.train(directory: temporary.url.appendingPathComponent("a"))
        try second.train(directory: temporary.url.appendingPathComponent("b"))
        #expect(first.model.parameters.values == second.model.parameters.values)
        var reseeded = config
        reseeded.training.seed += 1
        var third = try Trainer(config: reseeded, data: data)
        try third.train(directory: temporary.url.appendingPathComponent("c"))
        #expect(third.model.parameters.values != first.model.parameters.values)
    }

    @Test func classesAreBalancedOnTopOfEventWeights() throws {
        let (temporary, file) = try syntheticFile(jets: 90)
        defer { temporary.remove() }
        // The seeded split leaves the two classes with different counts in each part; balancing evens their sums.
        var config = try config(file: file, training: [:])
        let balanced = try TrainingData.load(config: config)
        for set in [balanced.training, balanced.validation] {
            #expect(set.labels.filter { $0 == 0 }.count != set.labels.filter { $0 == 1 }.count)
            var sums = [0.0, 0.0]
            for (label, weight) in zip(set.labels, set.weights) { sums[Int(label)] += Double(weight) }
            #expect(abs(sums[0] - sums[1]) < 1e-3, "\(sums)")
            #expect(abs(sums[0] + sums[1] - Double(set.count)) < 1e-3)
        }
        config.weights.weighting.balanceClasses = false
        let unbalanced = try TrainingData.load(config: config)
        #expect(unbalanced.training.weights.allSatisfy { $0 == 1 })
    }

    @Test func learnsThreeClassesWithSoftmax() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("jets.h5")
        try SyntheticJetFile.write(to: file, count: 300, seed: 8, classes: 3)
        let config = try config(file: file, training: ["epochs": 4])
        #expect(config.classNames == ["background", "signal", "other"])
        #expect(config.model.deepsets?.classes == 3)
        var trainer = try Trainer(config: config, data: try TrainingData.load(config: config))
        let state = try trainer.train(directory: directory.url)
        #expect(state.history[0].validationLoss > 0.5)
        #expect(state.history[3].validationLoss < 0.2)
        let scorer = try JetScorer(file: try ModelFile.read(from: directory.path("model.h5")))
        let batch = try JetStream(file: file, options: scorer.readOptions(batchSize: 300, threads: 1)).readAll()
        let scores = try scorer.score(batch)
        #expect(scores.classes == 3)
        var correct = 0
        for jet in 0..<300 {
            let row = Array(scores.probabilities[(3 * jet)..<(3 * jet + 3)])
            #expect(abs(row.reduce(0, +) - 1) < 1e-5)
            if row.firstIndex(of: row.max()!) == jet % 3 { correct += 1 }
        }
        #expect(correct > 270)
    }

    /// With dropout too: the checkpoint carries the dropout stream, so the continued run draws the same masks.
    @Test(arguments: [0.0, 0.3])
    func interruptedRunContinuesToTheSameParameters(dropout: Double) throws {
        let (temporary, file) = try syntheticFile()
        defer { temporary.remove() }
        let directory = temporary.url
        let config = try config(
            file: file, training: ["optimizer": "adamw", "weightDecay": 0.01, "schedule": ["kind": "cosine"]],
            dropout: dropout)
        let data = try TrainingData.load(config: config)

        var uninterrupted = try Trainer(config: config, data: data)
        let reference = try uninterrupted.train(directory: directory.appendingPathComponent("a"))

        let stopped = directory.appendingPathComponent("b")
        var first = try Trainer(config: config, data: data)
        var steps = 0
        #expect(throws: JetModelsError.self) {
            try first.train(
                directory: stopped,
                shouldStop: {
                    steps += 1
                    return steps == 11  // inside the second epoch (8 steps per epoch)
                })
        }
        let checkpoint = try ModelFile.read(from: stopped.appendingPathComponent("last.h5").path)
        #expect(checkpoint.trainingState?.completedEpochs == 1)
        #expect(checkpoint.trainingState?.stepInEpoch == 3)
        #expect(checkpoint.optimizerState.map(\.name).sorted() == ["first_moment", "second_moment", "step"])
        #expect(checkpoint.optimizerState.first { $0.name == "step" }?.values == [11])
        var continued = try Trainer(config: config, data: data, checkpoint: checkpoint)
        let state = try continued.train(directory: stopped)
        #expect(continued.model.parameters.values == uninterrupted.model.parameters.values)
        #expect(state.history.map(\.validationLoss) == reference.history.map(\.validationLoss))
        #expect(state.history.map(\.trainingLoss) == reference.history.map(\.trainingLoss))
    }

    /// With parameters held still (a negligible learning rate) the recomputed statistics are those of the training
    /// jets themselves, so evaluation mode nearly reproduces training mode on all of them (batch averages of means
    /// and variances are not exactly the full set's); PyTorch's exponential averages, 8 steps from their initial
    /// values (mean 0, variance 1), are far off.
    @Test func preciseBatchNormMatchesTrainingModeStatistics() throws {
        let (temporary, file) = try syntheticFile(jets: 320)
        defer { temporary.remove() }
        func evaluationModeError(preciseBatches: Int) throws -> Float {
            let settings = try config(
                file: file, training: ["epochs": 1, "learningRate": 1e-12, "preciseBatchNorm": preciseBatches],
                model: ["kind": "cnn1d", "cnn1d": ["channels": [8, 8], "headLayers": [8]]])
            let data = try TrainingData.load(config: settings)
            var trainer = try Trainer(config: settings, data: data)
            try trainer.train(directory: temporary.url.appendingPathComponent("\(preciseBatches)"))
            var model = trainer.model
            let jets = data.training.batch(0..<data.training.count)
            let evaluation = try model.forward(jets, training: false).storage
            let training = try model.forward(jets, training: true).storage
            return zip(evaluation, training).map { abs($0 - $1) }.max()!
        }
        let precise = try evaluationModeError(preciseBatches: 32)
        let lagging = try evaluationModeError(preciseBatches: 0)
        #expect(precise < 0.05 * lagging, "max |logit(eval) - logit(train)|: precise \(precise), lagging \(lagging)")
    }

    @Test func earlyStoppingEndsTheRunAndKeepsTheBestModel() throws {
        let (temporary, file) = try syntheticFile()
        defer { temporary.remove() }
        let directory = temporary.url
        // A learning rate this large makes the validation loss go up after the first epochs.
        let config = try config(
            file: file, training: ["epochs": 12, "patience": 2, "learningRate": 0.5, "optimizer": "sgd"])
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

    /// The scorer forwards at most `defaultJetsPerForward` jets at a time: a 2,500-jet batch gets the same scores,
    /// in the same rows, as 25 batches of 100.
    @Test func largeBatchesAreScoredInPartsInRowOrder() throws {
        let (temporary, file) = try syntheticFile(jets: 2_500)
        defer { temporary.remove() }
        let config = try config(file: file, training: ["epochs": 1])
        var trainer = try Trainer(config: config, data: try TrainingData.load(config: config))
        try trainer.train(directory: temporary.url)
        let scorer = try JetScorer(file: trainer.checkpointFile(state: nil))
        let whole = try scorer.score(
            try JetStream(file: file, options: scorer.readOptions(batchSize: 2_500, threads: 1)).readAll())
        var parts: [Float] = []
        let stream = try JetStream(file: file, options: scorer.readOptions(batchSize: 100, threads: 1))
        while let batch = try stream.next() { parts += try scorer.score(batch).probabilities }
        #expect(whole.count == 2_500 && parts.count == 5_000)
        #expect(zip(whole.probabilities, parts).allSatisfy { abs($0 - $1) <= 1e-5 })
    }

    @Test func modelFileRoundTripGivesIdenticalScores() throws {
        let (temporary, file) = try syntheticFile()
        defer { temporary.remove() }
        let directory = temporary.url
        let config = try config(file: file, training: ["epochs": 1])
        var trainer = try Trainer(config: config, data: try TrainingData.load(config: config))
        try trainer.train(directory: directory)
        let written = trainer.checkpointFile(state: nil)
        let path = directory.appendingPathComponent("copy.h5").path
        try written.write(to: path)
        let read = try ModelFile.read(from: path)
        #expect(read.architecture == written.architecture)
        #expect(read.features == written.features)
        #expect(read.classNames == ["background", "signal"])
        #expect(
            read.members.map { $0.sorted { $0.name < $1.name } }
                == written.members.map { $0.sorted { $0.name < $1.name } })

        let stream = try JetStream(file: file, options: JetScorer(file: read).readOptions(batchSize: 100, threads: 1))
        let batch = try stream.readAll()
        let original = try JetScorer(file: written)
        let loaded = try JetScorer(file: read)
        let expected = try original.score(batch).probabilities
        // The parameters are bit-identical (above); the scores are too unless a test running in parallel changes
        // OpenBLAS's process-wide thread count between the two passes, which may change the kernel's rounding.
        let got = try loaded.score(batch).probabilities
        #expect(zip(got, expected).allSatisfy { abs($0 - $1) <= 1e-6 })
        #expect(expected.count == 2 * 320)
        // Probabilities of the two classes sum to one.
        #expect(
            stride(from: 0, to: expected.count, by: 2).allSatisfy { abs(expected[$0] + expected[$0 + 1] - 1) < 1e-6 })
    }

    /// A seed "ensemble" of one model (`training.ensemble: 1`) is written under members/0, where reading looks for
    /// it, and scores as the model itself.
    @Test func oneMemberEnsembleRoundTrips() throws {
        let (temporary, file) = try syntheticFile()
        defer { temporary.remove() }
        let config = try config(file: file, training: ["epochs": 1])
        var trainer = try Trainer(config: config, data: try TrainingData.load(config: config))
        try trainer.train(directory: temporary.url)
        let single = trainer.checkpointFile(state: nil)
        var ensemble = single
        ensemble.combination = .ensemble(count: 1)
        let path = temporary.url.appendingPathComponent("ensemble.h5").path
        try ensemble.write(to: path)
        let read = try ModelFile.read(from: path)
        #expect(read.combination == .ensemble(count: 1))
        #expect(read.members.map { $0.sorted { $0.name < $1.name } } == single.members.map { $0.sorted { $0.name < $1.name } })
        let batch = try JetStream(file: file, options: JetScorer(file: read).readOptions(batchSize: 100, threads: 1)).readAll()
        let loaded = try JetScorer(file: read)
        let original = try JetScorer(file: single)
        let (got, expected) = (try loaded.score(batch), try original.score(batch))
        #expect(zip(got.probabilities, expected.probabilities).allSatisfy { abs($0 - $1) <= 1e-6 })
        #expect(got.spread?.allSatisfy { $0 == 0 } == true)
    }

    @Test func modelFileRejectsOtherHDF5Files() throws {
        let (temporary, file) = try syntheticFile(jets: 8)
        defer { temporary.remove() }
        #expect(throws: JetModelsError.invalidModelFile(file: file, reason: "attribute 'format' is missing")) {
            try ModelFile.read(from: file)
        }
    }

    @Test func jetSetPacksOnlyRealConstituents() throws {
        // Jets with 2, 0 and 3 real constituents in 3 slots; field a = 100 jet + 10 slot, b = a + 1.
        let multiplicities: [Int32] = [2, 0, 3]
        var a = [Float](repeating: 0, count: 9)
        var mask = a
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
        set.append(
            try extractor.extractPacked(batch), labels: [0, 1, 0], weights: [1, 2, 3], eventNumbers: [5, 6, 7], fields: [:])
        #expect(set.inputs.offsets.offsets == [0, 2, 2, 5])
        let packed = set.batch([2, 1, 0])
        #expect(packed.offsets.offsets == [0, 3, 3, 5])
        #expect(packed.constituents.storage == [200, 201, 210, 211, 220, 221, 0, 1, 10, 11])
        let subset = set.subset([2, 2], weights: [4, 5])
        #expect(subset.eventNumbers == [7, 7])
        #expect(
            subset.batch(0..<2).constituents.storage == [200, 201, 210, 211, 220, 221, 200, 201, 210, 211, 220, 221])
    }
}

/// Divergence guards: a non-finite or exploding loss stops the run before a model file takes it.
extension TrainerTests {
    @Test func aHugeLearningRateStopsTheRunAsDivergedAndKeepsOnlyFiniteFiles() throws {
        let (temporary, file) = try syntheticFile()
        defer { temporary.remove() }
        let config = try config(file: file, training: ["learningRate": 1000, "epochs": 4])
        var trainer = try Trainer(config: config, data: try TrainingData.load(config: config))
        do {
            try trainer.train(directory: temporary.url)
            Issue.record("training with learningRate 1000 finished")
        } catch let JetModelsError.diverged(epoch, step, loss, limit, learningRate, kept) {
            #expect(learningRate == 1000)
            #expect(epoch >= 1 && (step ?? 1) >= 1)
            #expect(!loss.isFinite || loss > limit!, "loss \(loss), limit \(String(describing: limit))")
            let message = "\(JetModelsError.diverged(epoch: epoch, step: step, loss: loss, limit: limit, learningRate: learningRate, kept: kept))"
            #expect(message.contains("training diverged in epoch \(epoch)"), "\(message)")
            #expect(message.contains("training.learningRate = 1000.0"), "\(message)")
            for name in ["last.h5", "model.h5"] {
                let path = temporary.path(name)
                #expect(FileManager.default.fileExists(atPath: path) == (epoch > 1), "\(name) after epoch \(epoch)")
                guard FileManager.default.fileExists(atPath: path) else { continue }
                let written = try ModelFile.read(from: path)
                #expect(written.members.allSatisfy { $0.allSatisfy { $0.values.allSatisfy(\.isFinite) } })
                #expect(kept.contains(path))
            }
        }
    }

    @Test func theDivergenceFactorMustBeAboveOne() throws {
        let (temporary, file) = try syntheticFile(jets: 40)
        defer { temporary.remove() }
        #expect(throws: JetModelsError.invalidValue(
            path: "training.divergenceFactor", file: "test.yaml", expected: "expected a number above 1")
        ) {
            try self.config(file: file, training: ["divergenceFactor": 1])
        }
    }
}
