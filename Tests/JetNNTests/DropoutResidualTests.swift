import JetCore
import JetNN
import JetTestSupport
import Testing

@Suite struct DropoutResidualTests {
    @Test func dropoutMasksScalesAndIsReproducible() {
        let input = Matrix(rows: 100, columns: 50, repeating: 2)
        var dropout = Dropout(rate: 0.3)
        var rng = SeededGenerator(seed: 71)
        dropout.forward(input, active: true, rng: &rng)
        let kept = dropout.output.storage.filter { $0 != 0 }
        #expect(kept.allSatisfy { abs($0 - 2 / 0.7) < 1e-6 }, "survivors are scaled by 1 / (1 - rate)")
        // 5000 Bernoulli(0.7) draws: standard deviation 32; allow 5 sigma.
        #expect(abs(kept.count - 3500) < 160)

        let dOutput = randomMatrix(rows: 100, columns: 50, seed: 72)
        dropout.backward(dOutput: dOutput)
        for i in stride(from: 0, to: 5000, by: 97) {
            let expected: Float = dropout.output.storage[i] == 0 ? 0 : dOutput.storage[i] / 0.7
            #expect(abs(dropout.inputGradient.storage[i] - expected) < 1e-6)
        }

        var again = Dropout(rate: 0.3)
        var sameRng = SeededGenerator(seed: 71)
        again.forward(input, active: true, rng: &sameRng)
        #expect(again.output == dropout.output, "same seed, same mask")

        dropout.forward(input, active: false, rng: &rng)
        #expect(dropout.output == input)
        dropout.backward(dOutput: dOutput)
        #expect(dropout.inputGradient == dOutput)
    }

    @Test func perJetMasksDependOnlyOnTheJetsOwnStreamAndBackwardUsesThem() {
        // Packed constituents of three jets (2, 0 and 3 rows) and the jet-level case, row j = jet j.
        let offsets = JetOffsets(offsets: [0, 2, 2, 5])
        let input = Matrix(rows: 5, columns: 8, repeating: 1)
        let streams = (0..<3).map { SeededGenerator(seed: 900 + UInt64($0)) }
        var dropout = Dropout(rate: 0.4)
        var all = DropoutStreams(training: SeededGenerator(seed: 1), perJet: streams)
        dropout.forward(input, training: false, streams: &all, rowsOfJets: offsets)
        let together = dropout.output
        #expect(together.storage.contains(0) && together.storage.contains { abs($0 - 1 / 0.6) < 1e-6 })
        // Jet 2 alone, with its own stream: the same mask as among the others.
        var alone = DropoutStreams(training: SeededGenerator(seed: 2), perJet: [streams[2]])
        var single = Dropout(rate: 0.4)
        single.forward(Matrix(rows: 3, columns: 8, repeating: 1), training: false, streams: &alone, rowsOfJets: JetOffsets(offsets: [0, 3]))
        #expect(single.output.storage == Array(together.storage[(2 * 8)...]))
        // Backward multiplies by the same mask.
        let dOutput = randomMatrix(rows: 5, columns: 8, seed: 901)
        dropout.backward(dOutput: dOutput)
        #expect(dropout.inputGradient.storage == zip(dOutput.storage, together.storage).map { $0 * $1 })
        // Without per-jet streams inference is the identity; training ignores them and draws from `training`.
        var none = DropoutStreams(training: SeededGenerator(seed: 3))
        dropout.forward(input, training: false, streams: &none)
        #expect(dropout.output == input)
        var training = DropoutStreams(training: SeededGenerator(seed: 71), perJet: streams)
        var reference = SeededGenerator(seed: 71)
        var other = Dropout(rate: 0.4)
        dropout.forward(input, training: true, streams: &training)
        other.forward(input, active: true, rng: &reference)
        #expect(dropout.output == other.output && training.training == reference)
    }

    @Test func residualGradientFlowsThroughBothPaths() {
        var rng = SeededGenerator(seed: 73)
        var parameters = Parameters()
        let dense = Dense("branch", inputCount: 4, outputCount: 4, parameters: &parameters, rng: &rng)
        let input = randomMatrix(rows: 3, columns: 4, seed: 74)
        let projection = randomValues(12, seed: 75)
        func run(_ x: Matrix) -> (Dense, Residual) {
            var branch = dense
            var residual = Residual()
            branch.forward(x, parameters: parameters)
            residual.forward(x, branchOutput: branch.output)
            return (branch, residual)
        }
        var (branch, residual) = run(input)
        let dOutput = Matrix(rows: 3, columns: 4, storage: projection)
        branch.backward(&parameters, dOutput: dOutput, input: input)
        residual.backward(dOutput: dOutput, branchInputGradient: branch.inputGradient)
        checkGradient("residual dInput", analytic: residual.inputGradient.storage, at: input.storage) { x in
            project(run(Matrix(rows: 3, columns: 4, storage: x)).1.output.storage, onto: projection)
        }
    }
}
