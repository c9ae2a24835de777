import JetCore
import JetNN
import JetTestSupport
import Testing

@Suite struct DenseStackTests {
    /// 5 -> 6 (`first`) -> 4 (tanh) -> 3 (no activation, no bias).
    static func layers(_ parameters: inout Parameters, first: ActivationFunction = .relu) -> [Dense] {
        var rng = SeededGenerator(seed: 61)
        return [
            Dense("a", inputCount: 5, outputCount: 6, activation: first, biasInitializer: .normal(standardDeviation: 0.5),
                  parameters: &parameters, rng: &rng),
            Dense("b", inputCount: 6, outputCount: 4, activation: .tanh, biasInitializer: .normal(standardDeviation: 0.5),
                  parameters: &parameters, rng: &rng),
            Dense("c", inputCount: 4, outputCount: 3, bias: false, parameters: &parameters, rng: &rng),
        ]
    }

    /// 1,100 rows: four row parts of two or more blocks each. The stack gives the outputs and gradients of its layers
    /// run one after the other on the whole batch, and the same bits on one and on two threads.
    @Test func matchesItsLayersRunOneAfterTheOther() {
        var parameters = Parameters()
        let layers = Self.layers(&parameters)
        let input = randomMatrix(rows: 1100, columns: 5, seed: 62)
        let dOutput = randomMatrix(rows: 1100, columns: 3, seed: 63)

        var sequential = layers
        var gradients = parameters
        var h = input
        for i in sequential.indices {
            sequential[i].forward(h, parameters: gradients)
            h = sequential[i].output
        }
        var gradient = dOutput
        for i in sequential.indices.reversed() {
            sequential[i].backward(&gradients, dOutput: gradient, input: i == 0 ? input : sequential[i - 1].output)
            gradient = sequential[i].inputGradient
        }

        func run(threads: Int) -> (DenseStack, Parameters) {
            ComputeThreads.set(threads)
            defer { ComputeThreads.set(1) }
            var stack = DenseStack(layers)
            stack.computesInputGradient = true
            var stackGradients = parameters
            stack.forward(input, parameters: stackGradients)
            stack.backward(&stackGradients, dOutput: dOutput, input: input)
            return (stack, stackGradients)
        }
        let (stack, stackGradients) = run(threads: 1)
        expectClose(stack.output.storage, h.storage, tolerance: .closedForm, "stack output")
        expectClose(stack.inputGradient.storage, gradient.storage, tolerance: .float32, "stack input gradient")
        expectClose(stackGradients.gradients, gradients.gradients, tolerance: .float32, "stack parameter gradients")
        let (twoThreads, twoThreadGradients) = run(threads: 2)
        #expect(twoThreads.output == stack.output && twoThreads.inputGradient == stack.inputGradient)
        #expect(twoThreadGradients.gradients == stackGradients.gradients)
    }

    /// 300 rows (two blocks): gradients against central finite differences (sigmoid first: 1,800 ReLU inputs would
    /// put kinks within a step), accumulated (+=) like a layer's.
    @Test func gradientsMatchFiniteDifferences() {
        var parameters = Parameters()
        var stack = DenseStack(Self.layers(&parameters, first: .sigmoid))
        stack.computesInputGradient = true
        let input = randomMatrix(rows: 300, columns: 5, seed: 64)
        let projection = randomValues(300 * 3, seed: 65)
        stack.forward(input, parameters: parameters)
        stack.backward(&parameters, dOutput: Matrix(rows: 300, columns: 3, storage: projection), input: input)
        checkInputGradient("DenseStack dInput", analytic: stack.inputGradient, input: input, projection: projection) { x in
            var copy = stack
            copy.forward(x, parameters: parameters)
            return copy.output
        }
        checkParameterGradients("DenseStack", parameters: parameters) { p in
            var copy = stack
            copy.forward(input, parameters: p)
            return project(copy.output.storage, onto: projection)
        }
        let once = parameters.gradients
        stack.backward(&parameters, dOutput: Matrix(rows: 300, columns: 3, storage: projection), input: input)
        expectClose(parameters.gradients, once.map { 2 * $0 }, "DenseStack gradients after two backward calls")
    }

    @Test func emptyInputGivesEmptyOutputAndNoGradient() {
        var parameters = Parameters()
        var stack = DenseStack(Self.layers(&parameters))
        stack.computesInputGradient = true
        stack.forward(randomMatrix(rows: 3, columns: 5, seed: 66), parameters: parameters)
        stack.forward(Matrix(rows: 0, columns: 5), parameters: parameters)
        #expect(stack.output.rows == 0 && stack.output.columns == 3)
        stack.backward(&parameters, dOutput: Matrix(rows: 0, columns: 3), input: Matrix(rows: 0, columns: 5))
        #expect(parameters.gradients.allSatisfy { $0 == 0 })
        #expect(stack.inputGradient.rows == 0 && stack.inputGradient.columns == 5)
    }
}
