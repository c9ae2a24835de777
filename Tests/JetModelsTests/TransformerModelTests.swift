import Foundation
import JetCore
import JetData
import JetNN
import JetTestSupport
import Testing

@testable import JetModels

@Suite struct TransformerModelTests {
    @Test(arguments: ["transformer_binary", "transformer_multiclass"])
    func matchesPyTorch(name: String) throws {
        let fixture = try NNFixture<TransformerConfig>(name)
        var model = try TransformerModel(config: fixture.config)
        try checkGradientFixture(&model, fixture)
    }

    /// Padded slots taken for constituents (junk of 50 and more, so pts of e^50: no overflow either) are far from
    /// the reference. (A model without the pair bias fails the fixture's pair.* gradients.)
    @Test func catchesLeakedPadding() throws {
        let fixture = try NNFixture<TransformerConfig>("transformer_binary")
        var leaky = try TransformerModel(config: fixture.config)
        let leaked = try logitsWithPaddingAsConstituents(&leaky, fixture)
        #expect(leaked.allSatisfy { $0.isFinite })
        #expect(largestRelativeDifference(leaked, try fixture.values("logits")) > 1e-2)
    }

    static let small = TransformerConfig(
        inputFeatures: 4, embedLayers: [8], heads: 2, particleBlocks: 1, classBlocks: 1, feedForward: 8,
        pairLayers: [4], pairColumns: [0, 1, 2], dropout: 0.1)

    static func jets(_ multiplicities: [Int32], seed: UInt64) throws -> PackedJets {
        var rng = SeededGenerator(seed: seed)
        let slots = Int(multiplicities.max() ?? 1)
        let padded = (0..<(multiplicities.count * slots * 4)).map { _ in rng.nextNormal() * 0.5 }
        return try PackedJets(padded: padded, multiplicities: multiplicities, maxConstituents: slots, features: 4)
    }

    @Test func singleConstituentEmptyAndCappedJetsGiveFiniteLogitsAndGradients() throws {
        var model = try TransformerModel(config: Self.small, seed: 3)
        // Jets at the cap (6), with one constituent (all pair features at the diagonal clamps), and empty.
        let batch = try Self.jets([6, 1, 0, 1, 6], seed: 4)
        let logits = try model.forward(batch, training: true)
        #expect(logits.rows == 5 && logits.storage.allSatisfy(\.isFinite))
        model.backward(dLogits: Matrix(rows: 5, columns: 1, repeating: 1), computeInputGradient: true)
        #expect(model.parameters.gradients.allSatisfy { $0.isFinite })
        #expect(model.inputGradient.rows == 14 && model.inputGradient.storage.allSatisfy(\.isFinite))
        // A jet's logit does not depend on the other jets of the batch in inference mode.
        let alone = try model.forward(Self.jets([6, 1, 0, 1, 6], seed: 4).jets(1..<2), training: false)
        let together = try model.forward(batch, training: false)
        expectClose(alone.storage, [together.storage[1]], tolerance: .float32, "single-constituent jet alone")
    }

    @Test func trainingStepHasTheSameBitsOnOneAndTwoThreads() throws {
        let batch = try Self.jets((0..<24).map { Int32($0 % 9 + 1) }, seed: 5)
        func step(threads: Int) throws -> [Float] {
            ComputeThreads.set(threads)
            defer { ComputeThreads.set(1) }
            var model = try TransformerModel(config: Self.small, seed: 6)
            let logits = try model.forward(batch, training: true)
            model.backward(dLogits: Matrix(rows: logits.rows, columns: 1, repeating: 0.25), computeInputGradient: true)
            return logits.storage + model.parameters.gradients + model.parameters.values + model.inputGradient.storage
        }
        let (one, two) = (try step(threads: 1), try step(threads: 2))
        #expect(one == two)
    }

    private func tree(model: [String: Any], file: String = "jets.h5") -> [String: Any] {
        [
            "data": ["files": [file]],
            "features": [
                "maxConstituents": SyntheticJetFile.slots,
                "constituentVariables": [
                    ["deta", 0, 1, NSNull(), NSNull()], ["dphi", 0, 1, NSNull(), NSNull()], "logptrel",
                    ["pt_log", 0, 1, NSNull(), NSNull()],
                ],
            ],
            "model": ["kind": "transformer", "transformer": model],
            "training": ["batchSize": 32, "epochs": 1, "learningRate": 0.003, "seed": 7],
        ]
    }

    @Test func impossibleSizesFailAtConfigLoadWithTheKeyPath() throws {
        let base: [String: Any] = ["embedLayers": [8], "pairColumns": [0, 1, 3]]
        var heads = base
        heads["heads"] = 3
        #expect(throws: JetModelsError.invalidValue(path: "model.transformer.heads", file: "t.yaml", expected: "is 3, expected a divisor of the width 8 (the last of embedLayers)")) {
            try RunConfig.load(tree: self.tree(model: heads), file: "t.yaml")
        }
        var standardised = base
        standardised["pairColumns"] = [0, 1, 2]
        #expect(throws: JetModelsError.invalidValue(path: "model.transformer.pairColumns", file: "t.yaml", expected: "expected features.constituentVariables[2] to be pt_log unstandardised ([pt_log, 0, 1, null, null]), found logptrel")) {
            try RunConfig.load(tree: self.tree(model: standardised), file: "t.yaml")
        }
        var outside = base
        outside["pairColumns"] = [0, 1, 4]
        #expect(throws: JetModelsError.self) { try RunConfig.load(tree: self.tree(model: outside), file: "t.yaml") }
        var unknown = base
        unknown["head"] = 2
        #expect(throws: JetModelsError.self) { try RunConfig.load(tree: self.tree(model: unknown), file: "t.yaml") }
        let loaded = try RunConfig.load(tree: tree(model: base), file: "t.yaml")
        #expect(loaded.model.transformer?.inputFeatures == 4 && loaded.model.transformer?.heads == 8 && loaded.model.transformer?.particleBlocks == 8)
    }

    /// Training on signed weights with an ensemble of two, the model file, and scoring it back: the model file
    /// stores the transformer like the other kinds.
    @Test func ensembleTrainsAndItsModelFileScores() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("jets.h5")
        try SyntheticJetFile.write(to: path, count: 96, seed: 2)
        var settings = tree(
            model: ["embedLayers": [8], "heads": 2, "particleBlocks": 1, "classBlocks": 1, "feedForward": 8, "pairLayers": [4], "pairColumns": [0, 1, 3]],
            file: path)
        var training = settings["training"] as! [String: Any]
        training["ensemble"] = 2
        settings["training"] = training
        let run = TrainingRun(config: try RunConfig.load(tree: settings, file: "t.yaml"), directory: directory.url.appendingPathComponent("run"))
        let file = try run.run()
        #expect(file.members.count == 2)
        let stored = try ModelFile.read(from: directory.path("run/model.h5"))
        #expect(stored.architecture.kind == .transformer && stored.architecture == file.architecture)
        let batch = try JetStream(file: path, options: JetScorer(file: stored).readOptions(batchSize: 96, threads: 1)).readAll()
        let scores = try JetScorer(file: stored).score(batch)
        #expect(scores.probabilities.count == 96 * 2 && scores.probabilities.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
    }
}
