import JetNN
import JetTestSupport
import Testing

@Suite struct NormalizationTests {
    /// A BatchNorm over 3 channels with non-trivial gamma and beta.
    func makeBatchNorm() -> (BatchNorm, Parameters) {
        var parameters = Parameters()
        let norm = BatchNorm("bn", channels: 3, parameters: &parameters)
        parameters.setValues([1.5, 0.7, -1.2], of: norm.scale)
        parameters.setValues([0.1, -0.3, 0.2], of: norm.shift)
        return (norm, parameters)
    }

    @Test func batchNormOnPackedRowsIgnoresPaddingAndUpdatesRunningStatistics() throws {
        let (jets, slots) = (3, 4)
        let multiplicities: [Int32] = [4, 1, 2]
        let offsets = try JetOffsets(multiplicities: multiplicities, maxConstituents: slots)
        // Padding slots hold large garbage: it must not enter the statistics.
        var padded = randomValues(jets * slots * 3, seed: 61, scale: 2)
        for jet in 0..<jets {
            for slot in Int(multiplicities[jet])..<slots {
                for c in 0..<3 { padded[(jet * slots + slot) * 3 + c] = 1000 }
            }
        }
        let packed = offsets.pack(padded, maxConstituents: slots, features: 3)
        var (norm, parameters) = makeBatchNorm()
        norm.forward(packed, parameters: &parameters, training: true)

        let gamma: [Double] = [1.5, 0.7, -1.2]
        let beta: [Double] = [0.1, -0.3, 0.2]
        var expected = [Float](repeating: 0, count: packed.count)
        var expectedRunningMean = [Float](repeating: 0, count: 3)
        var expectedRunningVariance = [Float](repeating: 0, count: 3)
        for c in 0..<3 {
            var valid: [Double] = []
            for jet in 0..<jets {
                for slot in 0..<Int(multiplicities[jet]) { valid.append(Double(padded[(jet * slots + slot) * 3 + c])) }
            }
            let mean = valid.reduce(0, +) / Double(valid.count)
            let variance = valid.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(valid.count)
            for (r, x) in valid.enumerated() {
                expected[r * 3 + c] = Float(gamma[c] * (x - mean) / (variance + 1e-5).squareRoot() + beta[c])
            }
            expectedRunningMean[c] = Float(0.1 * mean)
            expectedRunningVariance[c] = Float(0.9 + 0.1 * variance * Double(valid.count) / Double(valid.count - 1))
        }
        expectClose(norm.output.storage, expected, tolerance: .float32, "BatchNorm training output")
        expectClose(parameters.values(of: norm.runningMean), expectedRunningMean, tolerance: .float32, "running mean")
        expectClose(parameters.values(of: norm.runningVariance), expectedRunningVariance, tolerance: .float32, "running var (unbiased)")

        // Evaluation uses the running statistics.
        norm.forward(packed, parameters: &parameters, training: false)
        let evaluated = (0..<packed.count).map { i in
            let c = i % 3
            let normalized = (Double(packed.storage[i]) - Double(expectedRunningMean[c])) / (Double(expectedRunningVariance[c]) + 1e-5).squareRoot()
            return Float(gamma[c] * normalized + beta[c])
        }
        expectClose(norm.output.storage, evaluated, tolerance: .float32, "BatchNorm evaluation output")
    }

    @Test(arguments: [true, false])
    func batchNormGradientsMatchFiniteDifferences(training: Bool) {
        var (norm, parameters) = makeBatchNorm()
        let input = randomMatrix(rows: 9, columns: 3, seed: 62, scale: 1.5)
        if !training {
            parameters.setValues([0.3, -0.2, 0.5], of: norm.runningMean)
            parameters.setValues([1.4, 0.6, 2.0], of: norm.runningVariance)
        }
        let projection = randomValues(27, seed: 63)
        let start = parameters
        norm.forward(input, parameters: &parameters, training: training)
        norm.backward(&parameters, dOutput: Matrix(rows: 9, columns: 3, storage: projection), input: input)
        func scalar(_ x: Matrix, _ p: Parameters) -> Double {
            var layer = norm
            var p = p
            layer.forward(x, parameters: &p, training: training)
            return project(layer.output.storage, onto: projection)
        }
        checkGradient("BatchNorm training \(training) dInput", analytic: norm.inputGradient.storage, at: input.storage) { x in
            scalar(Matrix(rows: 9, columns: 3, storage: x), start)
        }
        var analytic = start
        analytic.setGradients(parameters.gradients(of: norm.scale), of: norm.scale)
        analytic.setGradients(parameters.gradients(of: norm.shift), of: norm.shift)
        checkParameterGradients("BatchNorm training \(training)", parameters: analytic) { p in scalar(input, p) }
    }

    @Test func layerNormValuesAndGradients() {
        var parameters = Parameters()
        var norm = LayerNorm("ln", channels: 5, parameters: &parameters)
        parameters.setValues([1.5, 0.7, -1.2, 1, 0.4], of: norm.scale)
        parameters.setValues([0.1, -0.3, 0.2, 0, 0.5], of: norm.shift)
        let input = randomMatrix(rows: 4, columns: 5, seed: 64, scale: 2)
        norm.forward(input, parameters: parameters)
        let gamma = parameters.values(of: norm.scale)
        let beta = parameters.values(of: norm.shift)
        var expected = [Float](repeating: 0, count: 20)
        for r in 0..<4 {
            let row = (0..<5).map { Double(input[r, $0]) }
            let mean = row.reduce(0, +) / 5
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 5
            for c in 0..<5 {
                expected[r * 5 + c] = Float(Double(gamma[c]) * (row[c] - mean) / (variance + 1e-5).squareRoot() + Double(beta[c]))
            }
        }
        expectClose(norm.output.storage, expected, tolerance: .float32, "LayerNorm output")

        let projection = randomValues(20, seed: 65)
        norm.backward(&parameters, dOutput: Matrix(rows: 4, columns: 5, storage: projection), input: input)
        checkInputGradient("LayerNorm dInput", analytic: norm.inputGradient, input: input, projection: projection) { x in
            var layer = norm
            layer.forward(x, parameters: parameters)
            return layer.output
        }
        checkParameterGradients("LayerNorm", parameters: parameters) { p in
            var layer = norm
            layer.forward(input, parameters: p)
            return project(layer.output.storage, onto: projection)
        }
    }
}
