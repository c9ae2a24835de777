import JetCore

/// How a parameter's values are initialised.
///
/// Fan-in and fan-out follow PyTorch: a Dense weight [out, in] has fanIn = in, fanOut = out; a Conv1D weight
/// [out, K, in] has fanIn = K * in, fanOut = K * out.
public enum Initializer: Sendable, Equatable {
    /// U(-a, a), a = sqrt(6 / (fanIn + fanOut)).
    case glorotUniform
    /// N(0, 2 / (fanIn + fanOut)).
    case glorotNormal
    /// U(-a, a), a = sqrt(6 / fanIn) (Kaiming, ReLU gain).
    case heUniform
    /// N(0, 2 / fanIn).
    case heNormal
    /// U(-1/sqrt(fanIn), 1/sqrt(fanIn)): PyTorch's default for Linear and Conv1d weights and biases.
    case fanInUniform
    /// U(-bound, bound).
    case uniform(bound: Float)
    /// N(0, standardDeviation^2).
    case normal(standardDeviation: Float)
    /// Every value equal (zeros for biases, ones for norm scales).
    case constant(Float)

    /// Fills `values` for a parameter with the given fans.
    public func fill(_ values: UnsafeMutableBufferPointer<Float>, fanIn: Int, fanOut: Int, using rng: inout SeededGenerator) {
        let fanIn = Float(max(fanIn, 1))
        let fanOut = Float(max(fanOut, 1))
        switch self {
        case .glorotUniform: fillUniform(values, bound: (6 / (fanIn + fanOut)).squareRoot(), rng: &rng)
        case .glorotNormal: fillNormal(values, standardDeviation: (2 / (fanIn + fanOut)).squareRoot(), rng: &rng)
        case .heUniform: fillUniform(values, bound: (6 / fanIn).squareRoot(), rng: &rng)
        case .heNormal: fillNormal(values, standardDeviation: (2 / fanIn).squareRoot(), rng: &rng)
        case .fanInUniform: fillUniform(values, bound: 1 / fanIn.squareRoot(), rng: &rng)
        case let .uniform(bound): fillUniform(values, bound: bound, rng: &rng)
        case let .normal(standardDeviation): fillNormal(values, standardDeviation: standardDeviation, rng: &rng)
        case let .constant(value): values.update(repeating: value)
        }
    }

    private func fillUniform(_ values: UnsafeMutableBufferPointer<Float>, bound: Float, rng: inout SeededGenerator) {
        for i in values.indices { values[i] = (2 * rng.nextUniform() - 1) * bound }
    }

    private func fillNormal(_ values: UnsafeMutableBufferPointer<Float>, standardDeviation: Float, rng: inout SeededGenerator) {
        for i in values.indices { values[i] = rng.nextNormal() * standardDeviation }
    }
}
