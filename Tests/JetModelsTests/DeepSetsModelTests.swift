import Foundation
import JetCore
import JetModels
import JetNN
import JetTestSupport
import Testing

@Suite struct DeepSetsModelTests {
    @Test(arguments: ["deepsets_binary", "deepsets_multiclass", "deepsets_max", "deepsets_attention"])
    func matchesPyTorch(fixtureName: String) throws {
        let fixture = try NNFixture<DeepSetsConfig>(fixtureName)
        var model = try DeepSetsModel(config: fixture.config)
        try checkGradientFixture(&model, fixture)
    }

    @Test(arguments: ["deepsets_adam", "deepsets_adamw"])
    func optimizerStepsMatchPyTorch(fixtureName: String) throws {
        let fixture = try NNFixture<DeepSetsConfig>(fixtureName)
        let settings = try #require(fixture.optimizer)
        var model = try DeepSetsModel(config: fixture.config)
        try model.load(fixture.parameterTensors(for: model.parameters))
        var optimizer = Adam(
            learningRate: settings.learningRate, beta1: settings.beta1, beta2: settings.beta2,
            epsilon: settings.epsilon, weightDecay: settings.weightDecay,
            decoupledWeightDecay: settings.kind == "adamw")
        let batch = try fixture.batch()
        var losses: [Float] = []
        var dLogits = Matrix(rows: 0, columns: 0)
        for _ in 0..<5 {
            model.parameters.zeroGradients()
            let logits = try model.forward(batch.jets, training: true)
            losses.append(referenceLoss(logits: logits, batch: batch, dLogits: &dLogits))
            model.backward(dLogits: dLogits)
            optimizer.step(&model.parameters)
        }
        expectClose(losses, try fixture.values("losses"), "\(fixtureName) loss before each step")
        for entry in model.parameters.entries {
            expectClose(
                model.parameters.values(of: entry), try fixture.values("final." + entry.name),
                "\(fixtureName) \(entry.name) after 5 steps")
        }
    }

    /// `infer` runs Phi and the pooling on parts of about 256 constituents (here 5 parts of 100 jets): with every
    /// pooling, with and without BatchNorm, and with jet features it gives the logits of `forward` in inference mode
    /// on the whole batch.
    @Test(arguments: [
        (DeepSetsConfig.Pooling.sum, true), (.sum, false), (.mean, false), (.max, false), (.attention, false),
    ])
    func inferenceInPartsMatchesTheWholeBatch(pooling: DeepSetsConfig.Pooling, batchNorm: Bool) throws {
        let config = DeepSetsConfig(
            inputFeatures: 4, jetFeatures: 2, constituentLayers: [16, 24], pooling: pooling, batchNorm: batchNorm,
            headLayers: [8], classes: 3)
        var model = try DeepSetsModel(config: config, seed: 2)
        var rng = SeededGenerator(seed: 9)
        var training = try randomJets(count: 100, features: 4, jetFeatures: 2, rng: &rng)
        for _ in 0..<3 { _ = try model.forward(training, training: true) }
        training = try randomJets(count: 100, features: 4, jetFeatures: 2, rng: &rng)
        let whole = try model.forward(training, training: false)
        var copy = model
        let parts = try copy.infer(training)
        #expect(training.offsets.jetRanges(ofAboutRows: 256).count == 5)
        #expect(parts.rows == 100 && parts.columns == 3)
        expectClose(parts.storage, whole.storage, tolerance: .closedForm, "\(pooling) pooling, BatchNorm \(batchNorm)")
    }

    /// The jets of a range as a batch of their own: their rows, offsets from 0 and jet-feature rows.
    @Test func aRangeOfJetsIsABatchOfItsOwn() throws {
        let constituents = Matrix(rows: 17, columns: 2, storage: (0..<34).map(Float.init))
        let jets = PackedJets(
            constituents: constituents, offsets: try JetOffsets(multiplicities: [3, 0, 5, 2, 7], maxConstituents: 10),
            jetFeatures: Matrix(rows: 5, columns: 1, storage: [10, 11, 12, 13, 14]))
        let slice = jets.jets(1..<4)
        #expect(slice.offsets.offsets == [0, 0, 5, 7])
        #expect(slice.constituents == Matrix(rows: 7, columns: 2, storage: (6..<20).map(Float.init)))
        #expect(slice.jetFeatures == Matrix(rows: 3, columns: 1, storage: [11, 12, 13]))
    }

    @Test func runningStatisticsAndEvaluationMatchPyTorch() throws {
        let fixture = try NNFixture<DeepSetsConfig>("deepsets_running_stats")
        var model = try DeepSetsModel(config: fixture.config)
        try checkRunningStatistics(&model, fixture)
    }

    @Test func catchesTransposedWeightAndLeakedPadding() throws {
        let fixture = try NNFixture<DeepSetsConfig>("deepsets_binary")
        let batch = try fixture.batch()
        let expected = try fixture.values("logits")

        // A [5, 6] weight read as if it were stored [6, 5] (transposed layout) is far from the reference.
        var model = try DeepSetsModel(config: fixture.config)
        var tensors = try fixture.parameterTensors(for: model.parameters)
        let index = try #require(tensors.firstIndex { $0.name == "constituent.1.weight" })
        let w = tensors[index].values
        tensors[index].values = (0..<30).map { w[($0 % 6) * 5 + $0 / 6] }
        try model.load(tensors)
        #expect(largestRelativeDifference(try model.forward(batch.jets, training: true).storage, expected) > 1e-2)

        // Treating the padded slots as constituents (a missing mask) is far from the reference too.
        var leaky = try DeepSetsModel(config: fixture.config)
        #expect(largestRelativeDifference(try logitsWithPaddingAsConstituents(&leaky, fixture), expected) > 1e-2)
    }
}

/// Three training forwards on batch0..2, then the running statistics and the evaluation-mode logits on batch0.
func checkRunningStatistics<Model: JetModel, Config>(
    _ model: inout Model, _ fixture: NNFixture<Config>, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    try model.load(fixture.parameterTensors(for: model.parameters))
    for i in 0..<3 {
        _ = try model.forward(try fixture.batch("batch\(i).").jets, training: true)
    }
    for entry in model.parameters.entries where !entry.trainable {
        expectClose(
            model.parameters.values(of: entry), try fixture.values("after." + entry.name),
            "\(fixture.name) \(entry.name) after 3 training forwards", sourceLocation: sourceLocation)
    }
    let batch = try fixture.batch("batch0.")
    let logits = try model.forward(batch.jets, training: false)
    expectClose(logits.storage, try fixture.values("eval.logits"), "\(fixture.name) evaluation logits", sourceLocation: sourceLocation)
    var dLogits = Matrix(rows: 0, columns: 0)
    expectClose(
        referenceLoss(logits: logits, batch: batch, dLogits: &dLogits), try fixture.scalar("eval.loss"),
        "\(fixture.name) evaluation loss", sourceLocation: sourceLocation)
}

/// `count` jets of 0-23 constituents with standard-normal features (and jet features).
private func randomJets(count: Int, features: Int, jetFeatures: Int, rng: inout SeededGenerator) throws -> PackedJets {
    let multiplicities = (0..<count).map { _ in Int32(rng.nextUniform() * 24) }
    let offsets = try JetOffsets(multiplicities: multiplicities, maxConstituents: 24)
    return PackedJets(
        constituents: Matrix(
            rows: offsets.constituentCount, columns: features,
            storage: (0..<(offsets.constituentCount * features)).map { _ in rng.nextNormal() }),
        offsets: offsets,
        jetFeatures: Matrix(rows: count, columns: jetFeatures, storage: (0..<(count * jetFeatures)).map { _ in rng.nextNormal() }))
}
