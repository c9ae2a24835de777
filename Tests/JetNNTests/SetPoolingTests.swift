import Foundation
import JetCore
import JetNN
import JetTestSupport
import Testing

@Suite struct SetPoolingTests {
    static let offsets = try! JetOffsets(multiplicities: [3, 0, 1, 4], maxConstituents: 4)

    /// [8, 3] values on a 0.05 grid in shuffled order: no ties, so max is differentiable for steps < 0.025.
    static let input: Matrix = {
        var values = (0..<24).map { Float($0) * 0.05 - 0.6 }
        var rng = SeededGenerator(seed: 51)
        values.shuffle(using: &rng)
        return Matrix(rows: 8, columns: 3, storage: values)
    }()

    func reference(_ mode: SetPooling.Mode) -> [Float] {
        var out = [Float](repeating: 0, count: 4 * 3)
        for jet in 0..<4 {
            let rows = Self.offsets.rows(of: jet)
            guard !rows.isEmpty else { continue }
            for c in 0..<3 {
                let column = rows.map { Self.input[$0, c] }
                switch mode {
                case .sum: out[jet * 3 + c] = column.reduce(0, +)
                case .mean: out[jet * 3 + c] = column.reduce(0, +) / Float(column.count)
                case .max: out[jet * 3 + c] = column.max()!
                }
            }
        }
        return out
    }

    @Test(arguments: [SetPooling.Mode.sum, .mean, .max])
    func poolingMatchesReferenceAndFiniteDifferences(mode: SetPooling.Mode) {
        var pooling = SetPooling(mode)
        pooling.forward(Self.input, offsets: Self.offsets)
        expectClose(pooling.output.storage, reference(mode), tolerance: .float32, "\(mode) pooling")
        // The empty jet 1 pools to zeros.
        #expect(pooling.output.storage[3..<6].allSatisfy { $0 == 0 })
        let projection = randomValues(12, seed: 52)
        pooling.backward(dOutput: Matrix(rows: 4, columns: 3, storage: projection), offsets: Self.offsets)
        checkInputGradient("\(mode) pooling dInput", analytic: pooling.inputGradient, input: Self.input, projection: projection, step: 1e-3) { x in
            var layer = SetPooling(mode)
            layer.forward(x, offsets: Self.offsets)
            return layer.output
        }
    }

    @Test func batchOfOnlyEmptyJetsGivesZeros() throws {
        let offsets = try JetOffsets(multiplicities: [0, 0], maxConstituents: 3)
        for mode in [SetPooling.Mode.sum, .mean, .max] {
            var pooling = SetPooling(mode)
            pooling.forward(Matrix(rows: 0, columns: 2), offsets: offsets)
            #expect(pooling.output.storage == [0, 0, 0, 0])
            pooling.backward(dOutput: Matrix(rows: 2, columns: 2, repeating: 1), offsets: offsets)
            #expect(pooling.inputGradient.count == 0)
        }
    }

    @Test func attentionPoolingValuesAndGradients() {
        var rng = SeededGenerator(seed: 53)
        var parameters = Parameters()
        var pooling = AttentionPooling("attention", channels: 3, initializer: .normal(standardDeviation: 1), parameters: &parameters, rng: &rng)
        let input = randomMatrix(rows: 8, columns: 3, seed: 54)
        pooling.forward(input, offsets: Self.offsets, parameters: parameters)

        // Reference: softmax of w . x over each jet, in Double.
        let w = parameters.values(of: pooling.scoreWeight).map(Double.init)
        var expected = [Float](repeating: 0, count: 12)
        for jet in 0..<4 {
            let rows = Self.offsets.rows(of: jet)
            let scores = rows.map { r in (0..<3).reduce(0.0) { $0 + w[$1] * Double(input[r, $1]) } }
            let exps = scores.map { exp($0 - scores.max()!) }
            let total = exps.reduce(0, +)
            for (i, r) in rows.enumerated() {
                for c in 0..<3 { expected[jet * 3 + c] += Float(exps[i] / total * Double(input[r, c])) }
            }
        }
        expectClose(pooling.output.storage, expected, tolerance: .float32, "attention pooling")
        #expect(pooling.attention[3] == 1, "a single constituent gets all the attention")

        let projection = randomValues(12, seed: 55)
        pooling.backward(&parameters, dOutput: Matrix(rows: 4, columns: 3, storage: projection), input: input, offsets: Self.offsets)
        checkInputGradient("attention dInput", analytic: pooling.inputGradient, input: input, projection: projection) { x in
            var layer = pooling
            layer.forward(x, offsets: Self.offsets, parameters: parameters)
            return layer.output
        }
        checkParameterGradients("attention", parameters: parameters) { p in
            var layer = pooling
            layer.forward(input, offsets: Self.offsets, parameters: p)
            return project(layer.output.storage, onto: projection)
        }
    }
}
