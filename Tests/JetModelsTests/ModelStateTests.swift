import JetCore
import JetModels
import JetNN
import JetTestSupport
import Testing

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

    @Test func descriptionsNameTheArchitectureAndParameterCount() throws {
        // PFN: 7*100 + 100 + 100*100 + 100 + 100*128 + 128 + 128*100 + 100 + 2 * (100*100 + 100) + 100 + 1.
        let pfn = try DeepSetsModel(config: DeepSetsConfig(inputFeatures: 7))
        #expect(pfn.description == "DeepSets: 7 -> [100, 100, 128] -> sum pooling -> [100, 100, 100] -> 1 logit (57029 parameters)")
        let cnn = try CNN1DModel(config: CNN1DConfig(inputFeatures: 4, channels: [6, 6], residual: true, headLayers: [5], classes: 3))
        // 6*3*4 + 2*6 + 6*3*6 + 2*6 + 6*5 + 5 + 5*3 + 3 (no conv bias with BatchNorm).
        #expect(cnn.description == "CNN1D: 4 -> conv k=3 [6, 6] with BatchNorm, residual -> mean pooling -> [5] -> 3 logits (257 parameters)")
    }

    @Test func jetWithoutConstituentsGivesFiniteLogitsAndGradients() throws {
        var rng = SeededGenerator(seed: 4)
        let padded = (0..<(3 * 4 * 4)).map { _ in rng.nextNormal() }
        let jets = try PackedJets(padded: padded, multiplicities: [3, 0, 4], maxConstituents: 4, features: 4)
        var pfn = try DeepSetsModel(config: DeepSetsConfig(inputFeatures: 4, constituentLayers: [5], pooling: .mean, batchNorm: true, headLayers: [3]))
        var cnn = try CNN1DModel(config: CNN1DConfig(inputFeatures: 4, channels: [5], headLayers: [3]))
        for logits in [try pfn.forward(jets, training: true), try cnn.forward(jets, training: true)] {
            #expect(logits.storage.allSatisfy { $0.isFinite })
        }
        let dLogits = Matrix(rows: 3, columns: 1, repeating: 1)
        pfn.backward(dLogits: dLogits, computeInputGradient: true)
        cnn.backward(dLogits: dLogits, computeInputGradient: true)
        #expect(pfn.parameters.gradients.allSatisfy { $0.isFinite } && cnn.parameters.gradients.allSatisfy { $0.isFinite })
        #expect(pfn.inputGradient.rows == 7 && cnn.inputGradient.rows == 7)
    }
}

