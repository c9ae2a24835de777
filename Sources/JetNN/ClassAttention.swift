import JetCore

/// ParT's class attention (CaiT): each jet's class token attends over itself and the jet's constituents,
/// y_b = MHA(query: t_b, keys and values: LayerNorm([t_b; x_b])); the query is the token before the norm, as in
/// ParT's `Block` with `x_cls`. No pair bias. The residual and feed-forward around it belong to the model.
///
/// Shapes: constituents [N, C] packed by `offsets`, class tokens [B, C], output [B, C]. A jet without
/// constituents attends to its token alone. Parameters: "<name>.norm.weight|bias" and "<name>.attention.*"
/// (``MultiHeadAttention``).
public struct ClassAttention: Sendable {
    public let width: Int
    private var norm: LayerNorm
    private var attention: MultiHeadAttention
    /// [t_b; x_b] jet after jet [N + B, C], and its offsets.
    private var tokensAndConstituents = Matrix(rows: 0, columns: 0)
    private var keyOffsets = JetOffsets(offsets: [0])
    private var tokenOffsets = JetOffsets(offsets: [0])
    /// The last backward's d(loss)/d(constituents) [N, C].
    public private(set) var constituentGradient = Matrix(rows: 0, columns: 0)
    /// The last backward's d(loss)/d(class tokens) [B, C].
    public private(set) var tokenGradient = Matrix(rows: 0, columns: 0)
    private var forwardOffsets: JetOffsets?

    /// The last forward's result [B, C].
    public var output: Matrix { attention.output }
    /// The last forward's attention of each token over [itself, the jet's constituents] (key 0 is the token,
    /// key k + 1 the jet's constituent k), per head; nil before any forward.
    public var weights: AttentionWeights? { attention.weights }

    public init(_ name: String, width: Int, heads: Int, parameters: inout Parameters, rng: inout SeededGenerator) {
        self.width = width
        norm = LayerNorm("\(name).norm", channels: width, parameters: &parameters)
        attention = MultiHeadAttention("\(name).attention", width: width, heads: heads, parameters: &parameters, rng: &rng)
    }

    /// ``output`` [B, C] for constituents [N, C] and the jets' class tokens [B, C].
    public mutating func forward(_ constituents: Matrix, offsets: JetOffsets, tokens: Matrix, parameters: Parameters) {
        precondition(constituents.rows == offsets.constituentCount && tokens.rows == offsets.jetCount && constituents.columns == width && tokens.columns == width, "ClassAttention: constituents \(constituents), tokens \(tokens) do not fit \(offsets.jetCount) jets of width \(width)")
        forwardOffsets = offsets
        let jets = offsets.jetCount
        keyOffsets = JetOffsets(offsets: offsets.offsets.enumerated().map { $0.element + $0.offset })
        tokenOffsets = JetOffsets(offsets: Array(0...jets))
        tokensAndConstituents.resize(rows: constituents.rows + jets, columns: width)
        let width = width
        tokensAndConstituents.storage.withUnsafeMutableBufferPointer { u in
            tokens.storage.withUnsafeBufferPointer { t in
                constituents.storage.withUnsafeBufferPointer { x in
                    for jet in 0..<jets {
                        let first = keyOffsets.offsets[jet] * width
                        (u.baseAddress! + first).update(from: t.baseAddress! + jet * width, count: width)
                        let rows = offsets.rows(of: jet)
                        if !rows.isEmpty {
                            (u.baseAddress! + first + width).update(from: x.baseAddress! + rows.lowerBound * width, count: rows.count * width)
                        }
                    }
                }
            }
        }
        norm.forward(tokensAndConstituents, parameters: parameters)
        attention.forward(
            queries: tokens, queryOffsets: tokenOffsets, keysAndValues: norm.output, keyOffsets: keyOffsets, bias: nil,
            parameters: parameters)
    }

    /// Accumulates the parameter gradients and sets ``constituentGradient`` and ``tokenGradient``.
    public mutating func backward(_ parameters: inout Parameters, dOutput: Matrix, tokens: Matrix) {
        guard let offsets = forwardOffsets else { preconditionFailure("ClassAttention: backward before forward") }
        attention.backward(&parameters, dOutput: dOutput, queries: tokens, keysAndValues: norm.output)
        norm.backward(&parameters, dOutput: attention.keyValueInputGradient, input: tokensAndConstituents)
        tokenGradient.setCopy(of: attention.queryInputGradient)
        constituentGradient.resize(rows: offsets.constituentCount, columns: width)
        let width = width
        let keyOffsets = keyOffsets
        constituentGradient.storage.withUnsafeMutableBufferPointer { dx in
            tokenGradient.storage.withUnsafeMutableBufferPointer { dt in
                norm.inputGradient.storage.withUnsafeBufferPointer { du in
                    for jet in 0..<offsets.jetCount {
                        let first = keyOffsets.offsets[jet] * width
                        addElementwise(dt.baseAddress! + jet * width, dt.baseAddress! + jet * width, du.baseAddress! + first, count: width)
                        let rows = offsets.rows(of: jet)
                        if !rows.isEmpty {
                            (dx.baseAddress! + rows.lowerBound * width).update(from: du.baseAddress! + first + width, count: rows.count * width)
                        }
                    }
                }
            }
        }
    }
}
