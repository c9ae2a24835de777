import JetCore
import JetNN
import JetTestSupport
import Testing

/// The training step of the JetNN documentation, run on a toy task: a jet is signal when the sum of its
/// constituents' first feature is positive, which a sum-pooled network can learn exactly.
@Suite struct TrainingStepTests {
    @Test func documentedTrainingStepLearnsAToyTask() throws {
        var data = SeededGenerator(seed: 111)
        let jets = 64
        let multiplicities = (0..<jets).map { _ in Int32(1 + data.next() % 10) }
        let offsets = try JetOffsets(multiplicities: multiplicities, maxConstituents: 10)
        let constituents = Matrix(
            rows: offsets.constituentCount, columns: 3,
            storage: (0..<(offsets.constituentCount * 3)).map { _ in data.nextNormal() })
        let labels: [Float] = (0..<jets).map { jet in
            offsets.rows(of: jet).reduce(0) { $0 + constituents[$1, 0] } > 0 ? 1 : 0
        }
        let weights: [Float] = (0..<jets).map { $0 % 5 == 0 ? -0.2 : 1 }

        var rng = SeededGenerator(seed: 1)
        var parameters = Parameters()
        var phi = Dense("phi", inputCount: 3, outputCount: 16, weightInitializer: .heUniform, parameters: &parameters, rng: &rng)
        var relu = Activation(.relu)
        var pool = SetPooling(.sum)
        var head = Dense("head", inputCount: 16, outputCount: 1, parameters: &parameters, rng: &rng)
        var optimizer = Adam.adamW(learningRate: 1e-2)
        let schedule = LearningRateSchedule.cosine(totalSteps: 150, minimum: 1e-3, warmupSteps: 10)
        var losses: [Float] = []
        for step in 0..<150 {
            phi.forward(constituents, parameters: parameters)
            relu.forward(phi.output)
            pool.forward(relu.output, offsets: offsets)
            head.forward(pool.output, parameters: parameters)
            var dLogits = Matrix(rows: 0, columns: 0)
            losses.append(BinaryCrossEntropy().loss(logits: head.output, targets: labels, weights: weights, dLogits: &dLogits))

            parameters.zeroGradients()
            head.backward(&parameters, dOutput: dLogits, input: pool.output)
            pool.backward(dOutput: head.inputGradient, offsets: offsets)
            relu.backward(dOutput: pool.inputGradient, input: phi.output)
            phi.backward(&parameters, dOutput: relu.inputGradient, input: constituents)
            parameters.clipGradientNorm(to: 5)
            optimizer.learningRate = schedule.learningRate(base: 1e-2, step: step)
            optimizer.step(&parameters)
        }
        #expect(losses[149] < 0.1 * losses[0], "loss \(losses[0]) -> \(losses[149])")
        // Negative-weight jets pull their prediction the wrong way by design; judge the positive-weight ones.
        let positive = (0..<jets).filter { weights[$0] > 0 }
        let correct = positive.filter { (head.output.storage[$0] > 0) == (labels[$0] == 1) }.count
        #expect(correct >= positive.count - 3, "\(correct) of \(positive.count) positive-weight jets classified correctly")
    }
}
