import CJetKernels
import Foundation

/// An element-wise nonlinearity.
public enum ActivationFunction: Sendable, Equatable {
    /// max(x, 0), NaN stays NaN; derivative 0 at x = 0 (as PyTorch).
    case relu
    /// x for x > 0, slope * x otherwise (PyTorch default slope 0.01).
    case leakyReLU(slope: Float)
    /// x for x > 0, alpha * (exp(x) - 1) otherwise.
    case elu(alpha: Float)
    /// x * sigmoid(x) (swish).
    case silu
    case tanh
    case sigmoid
    /// log(1 + exp(x)), computed stably.
    case softplus
    /// x * Phi(x) with the exact normal CDF Phi(x) = (1 + erf(x / sqrt 2)) / 2 (PyTorch's default `nn.GELU()`),
    /// erf and exp from vector polynomials within 4e-7 of libm's (see ``VectorMath``).
    case gelu
}

/// An element-wise activation layer on any [R, C] matrix.
public struct Activation: Sendable {
    public let function: ActivationFunction
    /// The last forward's result, same shape as the input.
    public private(set) var output = Matrix(rows: 0, columns: 0)
    /// The last backward's d(loss)/d(input) (overwritten).
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    private var forwardShape: (rows: Int, columns: Int)?

    public init(_ function: ActivationFunction) {
        self.function = function
    }

    /// ``output`` = f(input).
    public mutating func forward(_ input: Matrix) {
        output.resize(rows: input.rows, columns: input.columns)
        forwardShape = (input.rows, input.columns)
        let function = function
        output.storage.withUnsafeMutableBufferPointer { out in
            input.storage.withUnsafeBufferPointer { inp in
                forEachChunk(of: inp.count, minimumPerChunk: elementsPerChunk) { range in
                    activationForward(
                        function, out: out.baseAddress.map { $0 + range.lowerBound },
                        inp: inp.baseAddress.map { $0 + range.lowerBound }, count: range.count)
                }
            }
        }
    }

    /// ``inputGradient`` = dOut * f'(input).
    ///
    /// - Parameters:
    ///   - dOutput: d(loss)/d(output), shape of the forward input.
    ///   - input: the input of the last forward.
    public mutating func backward(dOutput: Matrix, input: Matrix) {
        guard let forwardShape else { preconditionFailure("Activation: backward before forward") }
        precondition(
            dOutput.rows == forwardShape.rows && dOutput.columns == forwardShape.columns
                && input.rows == forwardShape.rows && input.columns == forwardShape.columns,
            "Activation: backward got dOutput \(dOutput), input \(input); forward was [\(forwardShape.rows), \(forwardShape.columns)]")
        inputGradient.resize(rows: input.rows, columns: input.columns)
        let function = function
        inputGradient.storage.withUnsafeMutableBufferPointer { dInp in
            dOutput.storage.withUnsafeBufferPointer { dOut in
                input.storage.withUnsafeBufferPointer { inp in
                    output.storage.withUnsafeBufferPointer { out in
                        forEachChunk(of: inp.count, minimumPerChunk: elementsPerChunk) { range in
                            activationBackward(
                                function, dInp: dInp.baseAddress.map { $0 + range.lowerBound },
                                dOut: dOut.baseAddress.map { $0 + range.lowerBound },
                                inp: inp.baseAddress.map { $0 + range.lowerBound },
                                out: out.baseAddress.map { $0 + range.lowerBound }, count: range.count)
                        }
                    }
                }
            }
        }
    }
}

/// Element-wise work below this size stays on one thread.
private let elementsPerChunk = 1 << 15

/// out[i] = f(inp[i]) for i < count (out may be inp).
func activationForward(
    _ function: ActivationFunction, out: UnsafeMutablePointer<Float>?, inp: UnsafePointer<Float>?, count: Int
) {
    guard count > 0, let out, let x = inp else { return }
    switch function {
    case .relu:
        // Explicit SIMD: the compiler's own vectorisation gives up when out is inp (in place, as in Dense).
        var i = 0
        while i + 16 <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: v.replacing(with: 0, where: v .< 0), as: SIMD16<Float>.self)
            i += 16
        }
        while i < count {
            out[i] = x[i] < 0 ? 0 : x[i]
            i += 1
        }
    case let .leakyReLU(slope): for i in 0..<count { out[i] = x[i] > 0 ? x[i] : slope * x[i] }
    case let .elu(alpha): for i in 0..<count { out[i] = x[i] > 0 ? x[i] : alpha * expm1(x[i]) }
    case .silu: for i in 0..<count { out[i] = x[i] * logistic(x[i]) }
    case .tanh: for i in 0..<count { out[i] = Foundation.tanh(x[i]) }
    case .sigmoid: for i in 0..<count { out[i] = logistic(x[i]) }
    case .softplus: for i in 0..<count { out[i] = softplus(x[i]) }
    case .gelu: jt_gelu_forward(VectorMath.isa, x, out, count)
    }
}

/// dInp[i] = dOut[i] * f'(inp[i]), from out = f(inp) where that suffices (`inp` may then be nil, see
/// ``ActivationFunction/derivativeFollowsFromOutput``).
func activationBackward(
    _ function: ActivationFunction, dInp: UnsafeMutablePointer<Float>?, dOut: UnsafePointer<Float>?,
    inp: UnsafePointer<Float>?, out: UnsafePointer<Float>?, count: Int
) {
    guard count > 0, let dx = dInp, let dy = dOut, let y = out else { return }
    switch function {
    case .relu:
        // Explicit SIMD: the compiler's own vectorisation turns the select into slow masked loads.
        var i = 0
        while i + 16 <= count {
            let output = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self)
            let gradient = UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(dx + i).storeBytes(
                of: gradient.replacing(with: 0, where: .!(output .> 0)), as: SIMD16<Float>.self)
            i += 16
        }
        while i < count {
            dx[i] = y[i] > 0 ? dy[i] : 0
            i += 1
        }
    case .tanh: for i in 0..<count { dx[i] = dy[i] * (1 - y[i] * y[i]) }
    case .sigmoid: for i in 0..<count { dx[i] = dy[i] * y[i] * (1 - y[i]) }
    case let .leakyReLU(slope):
        let x = inp!
        for i in 0..<count { dx[i] = x[i] > 0 ? dy[i] : slope * dy[i] }
    case let .elu(alpha):
        let x = inp!
        for i in 0..<count { dx[i] = x[i] > 0 ? dy[i] : dy[i] * (y[i] + alpha) }
    case .silu:
        let x = inp!
        for i in 0..<count {
            let s = logistic(x[i])
            dx[i] = dy[i] * s * (1 + x[i] * (1 - s))
        }
    case .softplus:
        let x = inp!
        for i in 0..<count { dx[i] = dy[i] * logistic(x[i]) }
    case .gelu:
        // d/dx x Phi(x) = Phi(x) + x phi(x), phi the standard normal density.
        jt_gelu_backward(VectorMath.isa, dy, inp!, dx, count)
    }
}

extension ActivationFunction {
    /// Whether f'(x) follows from y = f(x) alone (ReLU: y > 0; tanh: 1 - y^2; sigmoid: y (1 - y)), so a layer
    /// may apply f in place of its output and still backpropagate (``Dense``'s fused activation).
    public var derivativeFollowsFromOutput: Bool {
        switch self {
        case .relu, .tanh, .sigmoid: true
        case .leakyReLU, .elu, .silu, .softplus, .gelu: false
        }
    }
}

/// 1 / (1 + exp(-x)), without overflow for large |x|.
@inline(__always)
func logistic(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + exp(-x)) }
    let e = exp(x)
    return e / (1 + e)
}

/// log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)).
@inline(__always)
func softplus(_ x: Float) -> Float {
    max(x, 0) + log1p(exp(-abs(x)))
}
