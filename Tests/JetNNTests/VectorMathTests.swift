import CJetKernels
import Foundation
@testable import JetNN
import JetTestSupport
import Testing

/// The vector-math kernels of every instruction set this CPU runs against Double references, on lengths with and
/// without a remainder.
@Suite struct VectorMathTests {
    static let inputs: [Float] = stride(from: -9.0, through: 9.0, by: 0.0137).map { Float($0) } + [0, -0.0, 1e-30, -1e-30]

    @Test(arguments: VectorMath.supportedISAs)
    func geluAndItsDerivativeMatchErf(isa: Int32) {
        let x = Self.inputs
        var y = [Float](repeating: .nan, count: x.count)
        var dx = [Float](repeating: .nan, count: x.count)
        let dy = (0..<x.count).map { Float($0 % 7) - 3 }
        jt_gelu_forward(isa, x, &y, x.count)
        jt_gelu_backward(isa, dy, x, &dx, x.count)
        let expected = x.map { v in Float(Double(v) * 0.5 * (1 + erf(Double(v) / 2.0.squareRoot()))) }
        let expectedGradient = zip(x, dy).map { v, g -> Float in
            let v = Double(v)
            let cdf: Double = 0.5 * (1 + erf(v / 2.0.squareRoot()))
            let density: Double = exp(-0.5 * v * v) / (2 * Double.pi).squareRoot()
            return Float(Double(g) * (cdf + v * density))
        }
        expectClose(y, expected, tolerance: .closedForm, "gelu, isa \(isa)")
        expectClose(dx, expectedGradient, tolerance: .closedForm, "gelu', isa \(isa)")
    }

    @Test(arguments: VectorMath.supportedISAs)
    func softmaxMatchesExpOnEveryLength(isa: Int32) {
        for count in [1, 3, 4, 7, 8, 9, 17, 76, 128] {
            let offset: Float = count == 9 ? 110 : -10
            let x = (0..<count).map { (i: Int) -> Float in Float((i * 37) % 23) * 0.9 + offset }
            var y = x
            jt_softmax(isa, &y, count)
            let maximum = Double(x.max()!)
            let e = x.map { exp(Double($0) - maximum) }
            let total = e.reduce(0, +)
            expectClose(y, e.map { Float($0 / total) }, tolerance: .closedForm, "softmax of \(count), isa \(isa)")
        }
        // Far below the maximum: exactly 0, no NaN.
        var far: [Float] = [0, -200, -90, 5]
        jt_softmax(isa, &far, 4)
        #expect(far[1] == 0 && far[2] == 0 && far.allSatisfy(\.isFinite))
    }
}
