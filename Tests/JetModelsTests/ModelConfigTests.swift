import Foundation
import JetModels
import JetNN
import JetTestSupport
import Testing

@Suite struct ModelConfigTests {
    private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    @Test func missingKeysTakeTheDefaults() throws {
        #expect(try decode(DeepSetsConfig.self, #"{"inputFeatures": 7}"#) == DeepSetsConfig(inputFeatures: 7))
        #expect(try decode(CNN1DConfig.self, #"{"inputFeatures": 7}"#) == CNN1DConfig(inputFeatures: 7))
        let pfn = try decode(DeepSetsConfig.self, #"{"inputFeatures": 7, "pooling": "attention", "classes": 4}"#)
        #expect(pfn.pooling == .attention && pfn.logitCount == 4 && pfn.constituentLayers == [100, 100, 128])
    }

    @Test func encodedConfigsDecodeToTheSameValue() throws {
        let pfn = DeepSetsConfig(inputFeatures: 5, jetFeatures: 2, constituentLayers: [8], pooling: .max, batchNorm: true,
                                 dropout: 0.25, headLayers: [], classes: 3)
        let cnn = CNN1DConfig(inputFeatures: 3, channels: [4, 4], kernelSize: 5, batchNorm: false, residual: true,
                              dropout: 0.1, headLayers: [6, 6], classes: 2)
        #expect(try JSONDecoder().decode(DeepSetsConfig.self, from: JSONEncoder().encode(pfn)) == pfn)
        #expect(try JSONDecoder().decode(CNN1DConfig.self, from: JSONEncoder().encode(cnn)) == cnn)
    }

    @Test func misspeltKeyIsAnErrorNamingIt() throws {
        let error = try #require(throws: JetModelsError.self) {
            try decode(DeepSetsConfig.self, #"{"inputFeatures": 7, "poolnig": "max"}"#)
        }
        #expect(error.description == "DeepSets config: unknown key 'poolnig'; known keys: inputFeatures, jetFeatures, constituentLayers, pooling, batchNorm, dropout, headLayers, classes")
    }

    @Test func valuesOutOfRangeAreRejected() throws {
        #expect(throws: JetModelsError.invalidConfig(model: "DeepSets", field: "classes", value: "1", expected: "2 or more")) {
            try DeepSetsModel(config: DeepSetsConfig(inputFeatures: 7, classes: 1))
        }
        #expect(throws: JetModelsError.invalidConfig(model: "DeepSets", field: "constituentLayers", value: "[]", expected: "a non-empty list of positive sizes")) {
            try DeepSetsModel(config: DeepSetsConfig(inputFeatures: 7, constituentLayers: []))
        }
        #expect(throws: JetModelsError.invalidConfig(model: "CNN1D", field: "kernelSize", value: "4", expected: "an odd positive integer")) {
            try CNN1DModel(config: CNN1DConfig(inputFeatures: 7, kernelSize: 4))
        }
        #expect(throws: JetModelsError.invalidConfig(model: "CNN1D", field: "dropout", value: "1.0", expected: "a rate in [0, 1)")) {
            try CNN1DModel(config: CNN1DConfig(inputFeatures: 7, dropout: 1))
        }
    }

    @Test func batchWithOtherFeatureCountsIsRejected() throws {
        let jets = try PackedJets(padded: [Float](repeating: 1, count: 2 * 3 * 4), multiplicities: [3, 2], maxConstituents: 3, features: 4)
        var cnn = try CNN1DModel(config: CNN1DConfig(inputFeatures: 5))
        #expect(throws: JetModelsError.featureCount(model: "CNN1D", input: "constituent", expected: 5, got: 4)) {
            try cnn.forward(jets, training: false)
        }
        var pfn = try DeepSetsModel(config: DeepSetsConfig(inputFeatures: 4, jetFeatures: 2))
        #expect(throws: JetModelsError.featureCount(model: "DeepSets", input: "jet-level", expected: 2, got: 0)) {
            try pfn.forward(jets, training: false)
        }
        var withFeatures = jets
        withFeatures.jetFeatures = Matrix(rows: 3, columns: 2)
        #expect(throws: JetModelsError.jetCount(model: "DeepSets", expected: 2, got: 3)) {
            try pfn.forward(withFeatures, training: false)
        }
    }
}

@Suite struct ModelStateTests {
    /// Three jets of 4 features with 2, 5 and 1 constituents.
    private func jets() throws -> PackedJets {
        var rng = SeededGenerator(seed: 9)
        let padded = (0..<(3 * 5 * 4)).map { _ in rng.nextNormal() }
        return try PackedJets(padded: padded, multiplicities: [2, 5, 1], maxConstituents: 5, features: 4)
    }

    private func trainOneStep<Model: JetModel>(_ model: inout Model, _ jets: PackedJets) throws {
        var dLogits = Matrix(rows: 0, columns: 0)
        let logits = try model.forward(jets, training: true)
        _ = BinaryCrossEntropy().loss(logits: logits, targets: [1, 0, 1], dLogits: &dLogits)
        model.backward(dLogits: dLogits, computeInputGradient: false)
        var adam = Adam(learningRate: 0.05)
        adam.step(&model.parameters)
    }

    @Test func exportedTensorsRestoreTheModelIncludingRunningStatistics() throws {
        let jets = try jets()
        var trained = try CNN1DModel(config: CNN1DConfig(inputFeatures: 4, channels: [6, 6], residual: true, headLayers: [3]), seed: 1)
        try trainOneStep(&trained, jets)
        let tensors = trained.exportTensors()
        #expect(tensors.map(\.name).contains("conv.1.norm.running_var"))
        #expect(tensors.first { $0.name == "conv.0.weight" }?.shape == [6, 3, 4])

        var restored = try CNN1DModel(config: trained.config, seed: 2)
        let before = try restored.forward(jets, training: false).storage
        try restored.load(tensors)
        let expected = try trained.forward(jets, training: false).storage
        #expect(largestRelativeDifference(before, expected) > 1e-3)
        #expect(try restored.forward(jets, training: false).storage == expected)
    }

    @Test func loadingTensorsOfAnotherArchitectureFails() throws {
        var small = try DeepSetsModel(config: DeepSetsConfig(inputFeatures: 4, constituentLayers: [3]))
        let other = try DeepSetsModel(config: DeepSetsConfig(inputFeatures: 4, constituentLayers: [5]))
        #expect(throws: JetNNError.parameterShape(name: "constituent.0.weight", expected: [3, 4], got: [5, 4])) {
            try small.load(other.exportTensors())
        }
    }

    @Test func dropoutActsInTrainingOnly() throws {
        let jets = try jets()
        let config = DeepSetsConfig(inputFeatures: 4, constituentLayers: [8], headLayers: [16, 16], classes: 3)
        var withDropout = config
        withDropout.dropout = 0.5
        var plain = try DeepSetsModel(config: config, seed: 3)
        var dropped = try DeepSetsModel(config: withDropout, seed: 3)
        #expect(try dropped.forward(jets, training: false).storage == plain.forward(jets, training: false).storage)
        let first = try dropped.forward(jets, training: true).storage
        let second = try dropped.forward(jets, training: true).storage
        #expect(first != second)
        #expect(first != (try plain.forward(jets, training: true).storage))
    }

    @Test func inputGradientIsFilledOnlyWhenAsked() throws {
        let jets = try jets()
        var model = try DeepSetsModel(config: DeepSetsConfig(inputFeatures: 4, constituentLayers: [6], headLayers: [4]))
        let logits = try model.forward(jets, training: false)
        let dLogits = Matrix(rows: logits.rows, columns: 1, repeating: 1)
        model.backward(dLogits: dLogits, computeInputGradient: false)
        #expect(model.inputGradient.rows == 0)
        model.backward(dLogits: dLogits, computeInputGradient: true)
        #expect(model.inputGradient.rows == 8 && model.inputGradient.columns == 4)
        let padded = jets.offsets.unpack(model.inputGradient, maxConstituents: 5)
        #expect(padded[(0 * 5 + 3) * 4..<(0 * 5 + 5) * 4].allSatisfy { $0 == 0 })
    }
}
