import JetCore
import JetNN
import JetTestSupport
import Testing

@Suite struct DenseTests {
    @Test func forwardMatchesHandComputedProduct() {
        var rng = SeededGenerator(seed: 1)
        var parameters = Parameters()
        var dense = Dense("fc", inputCount: 2, outputCount: 3, parameters: &parameters, rng: &rng)
        parameters.setValues([1, 2, 3, 4, 5, 6], of: dense.weight)  // rows are outputs: [[1, 2], [3, 4], [5, 6]]
        parameters.setValues([0.5, -1, 2], of: dense.bias!)
        dense.forward(Matrix(rows: 2, columns: 2, storage: [1, -1, 2, 0.5]), parameters: parameters)
        // row 0: [1-2, 3-4, 5-6] + b; row 1: [2+1, 6+2, 10+3] + b
        expectClose(dense.output.storage, [-0.5, -2, 1, 3.5, 7, 15], tolerance: .closedForm, "Dense output")
    }

    @Test func gradientsMatchFiniteDifferences() {
        var rng = SeededGenerator(seed: 2)
        var parameters = Parameters()
        var dense = Dense("fc", inputCount: 5, outputCount: 4, weightInitializer: .glorotNormal,
                          biasInitializer: .normal(standardDeviation: 0.5), parameters: &parameters, rng: &rng)
        let input = randomMatrix(rows: 7, columns: 5, seed: 3)
        let projection = randomValues(7 * 4, seed: 4)
        dense.forward(input, parameters: parameters)
        dense.backward(&parameters, dOutput: Matrix(rows: 7, columns: 4, storage: projection), input: input)

        checkInputGradient("Dense dInput", analytic: dense.inputGradient, input: input, projection: projection) { x in
            var layer = dense
            layer.forward(x, parameters: parameters)
            return layer.output
        }
        checkParameterGradients("Dense", parameters: parameters) { p in
            var layer = dense
            layer.forward(input, parameters: p)
            return project(layer.output.storage, onto: projection)
        }
    }

    @Test func backwardAccumulatesParameterGradients() {
        var rng = SeededGenerator(seed: 5)
        var parameters = Parameters()
        var dense = Dense("fc", inputCount: 3, outputCount: 2, parameters: &parameters, rng: &rng)
        let input = randomMatrix(rows: 4, columns: 3, seed: 6)
        let dOutput = randomMatrix(rows: 4, columns: 2, seed: 7)
        dense.forward(input, parameters: parameters)
        dense.backward(&parameters, dOutput: dOutput, input: input)
        let once = parameters.gradients
        dense.backward(&parameters, dOutput: dOutput, input: input)
        expectClose(parameters.gradients, once.map { 2 * $0 }, "Dense gradients after two backward calls")
        parameters.zeroGradients()
        #expect(parameters.gradients.allSatisfy { $0 == 0 })
    }

    @Test func emptyInputGivesEmptyOutputAndNoGradient() {
        var rng = SeededGenerator(seed: 8)
        var parameters = Parameters()
        var dense = Dense("fc", inputCount: 3, outputCount: 2, parameters: &parameters, rng: &rng)
        let empty = Matrix(rows: 0, columns: 3)
        dense.forward(empty, parameters: parameters)
        #expect(dense.output.rows == 0 && dense.output.columns == 2)
        dense.backward(&parameters, dOutput: Matrix(rows: 0, columns: 2), input: empty)
        #expect(parameters.gradients.allSatisfy { $0 == 0 })
    }
}
