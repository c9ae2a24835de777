import Foundation
import JetNN
import JetTestSupport
import Testing

@Suite struct ActivationTests {
    static let functions: [ActivationFunction] = [
        .relu, .leakyReLU(slope: 0.1), .elu(alpha: 1.3), .silu, .tanh, .sigmoid, .softplus, .gelu,
    ]

    @Test(arguments: functions)
    func inputGradientMatchesFiniteDifferences(function: ActivationFunction) {
        let input = Matrix(rows: 6, columns: 5, storage: valuesAwayFromZero(30, seed: 11))
        let projection = randomValues(30, seed: 12)
        var activation = Activation(function)
        activation.forward(input)
        activation.backward(dOutput: Matrix(rows: 6, columns: 5, storage: projection), input: input)
        checkInputGradient("\(function)", analytic: activation.inputGradient, input: input, projection: projection, step: 1e-3) { x in
            var layer = Activation(function)
            layer.forward(x)
            return layer.output
        }
    }

    @Test func valuesMatchDefinitions() {
        let x: [Float] = [-2, -0.5, 0.5, 3, 40, -40]
        func apply(_ function: ActivationFunction) -> [Float] {
            var layer = Activation(function)
            layer.forward(Matrix(rows: 1, columns: x.count, storage: x))
            return layer.output.storage
        }
        let d = x.map(Double.init)
        func expected(_ f: (Double) -> Double) -> [Float] { d.map { Float(f($0)) } }
        expectClose(apply(.relu), expected { max($0, 0) }, tolerance: .closedForm, "relu")
        var relu = Activation(.relu)
        relu.forward(Matrix(rows: 1, columns: 1, storage: [.nan]))
        #expect(relu.output.storage[0].isNaN, "ReLU must not hide a NaN")
        expectClose(apply(.leakyReLU(slope: 0.1)), expected { $0 > 0 ? $0 : 0.1 * $0 }, tolerance: .closedForm, "leaky")
        expectClose(apply(.elu(alpha: 1.3)), expected { $0 > 0 ? $0 : 1.3 * (exp($0) - 1) }, tolerance: .closedForm, "elu")
        expectClose(apply(.silu), expected { $0 / (1 + exp(-$0)) }, tolerance: .closedForm, "silu")
        expectClose(apply(.tanh), expected { Foundation.tanh($0) }, tolerance: .closedForm, "tanh")
        expectClose(apply(.sigmoid), expected { 1 / (1 + exp(-$0)) }, tolerance: .closedForm, "sigmoid")
        expectClose(apply(.softplus), expected { log(1 + exp($0)) }, tolerance: .closedForm, "softplus")
        // PyTorch's default nn.GELU(): the exact erf form, not the tanh approximation (which differs by ~1e-3 here).
        expectClose(apply(.gelu), expected { $0 * 0.5 * (1 + erf($0 / 2.0.squareRoot())) }, tolerance: .closedForm, "gelu")
    }
}
