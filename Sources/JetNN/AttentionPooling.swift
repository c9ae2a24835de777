import Foundation

/// Attention-weighted set pooling [N, C] -> [B, C]: each constituent gets a learned score s_i = w . x_i, the
/// scores are soft-maxed over the jet's constituents, a_i = exp(s_i) / sum_j exp(s_j), and the jet row is
/// sum_i a_i x_i. An empty jet pools to zeros.
///
/// Parameters: "<name>.weight" [C] (decays). There is no score bias: softmax is shift-invariant, so a bias
/// would never change the output (a PyTorch `Linear(C, 1)` scorer's bias can be dropped when loading).
public struct AttentionPooling: Sendable {
    public let channels: Int
    /// [channels]
    public let scoreWeight: ParameterSlice
    /// The last forward's result [B, C].
    public private(set) var output = Matrix(rows: 0, columns: 0)
    /// The last forward's attention weights a_i, [N] (sum to 1 over each non-empty jet).
    public private(set) var attention: [Float] = []
    /// The last backward's d(loss)/d(input) [N, C] (overwritten).
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    private var forwardOffsets: JetOffsets?

    /// Registers "<name>.weight" [C].
    public init(
        _ name: String, channels: Int, initializer: Initializer = .glorotUniform,
        parameters: inout Parameters, rng: inout SeededGenerator
    ) {
        precondition(channels > 0, "AttentionPooling '\(name)': channels must be > 0")
        self.channels = channels
        scoreWeight = parameters.add(
            name + ".weight", shape: [channels], decays: true, initializer: initializer,
            fanIn: channels, fanOut: 1, rng: &rng)
    }

    /// ``output`` [B, C] and ``attention`` [N] from packed input [N, C].
    public mutating func forward(_ input: Matrix, offsets: JetOffsets, parameters: Parameters) {
        precondition(input.columns == channels, "AttentionPooling: input has \(input.columns) channels, layer expects \(channels)")
        precondition(input.rows == offsets.constituentCount, "AttentionPooling: input has \(input.rows) rows, offsets describe \(offsets.constituentCount) constituents")
        forwardOffsets = offsets
        output.resize(rows: offsets.jetCount, columns: channels)
        attention.removeAll(keepingCapacity: true)
        attention.append(contentsOf: repeatElement(0, count: input.rows))
        let (channels, scoreWeight) = (channels, scoreWeight)
        output.storage.withUnsafeMutableBufferPointer { out in
            attention.withUnsafeMutableBufferPointer { a in
                input.storage.withUnsafeBufferPointer { inp in
                    parameters.values.withUnsafeBufferPointer { values in
                        let w = values.baseAddress! + scoreWeight.offset
                        for r in 0..<input.rows { a[r] = dot(inp.baseAddress! + r * channels, w, count: channels) }
                        for jet in 0..<offsets.jetCount {
                            let pooled = out.baseAddress! + jet * channels
                            pooled.update(repeating: 0, count: channels)
                            let rows = offsets.rows(of: jet)
                            guard !rows.isEmpty else { continue }
                            var maximum = -Float.infinity
                            for r in rows { maximum = max(maximum, a[r]) }
                            var sum: Float = 0
                            for r in rows {
                                a[r] = exp(a[r] - maximum)
                                sum += a[r]
                            }
                            for r in rows {
                                a[r] /= sum
                                let row = inp.baseAddress! + r * channels
                                for c in 0..<channels { pooled[c] += a[r] * row[c] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Accumulates the score-weight gradient and sets ``inputGradient`` [N, C].
    ///
    /// With g = dOutput of the jet and d_i = a_i (g . x_i - g . output): dx_i = a_i g + d_i w, dw += sum_i d_i x_i.
    public mutating func backward(_ parameters: inout Parameters, dOutput: Matrix, input: Matrix, offsets: JetOffsets) {
        guard let forwardOffsets else { preconditionFailure("AttentionPooling: backward before forward") }
        precondition(offsets == forwardOffsets, "AttentionPooling: backward got other jets than the last forward")
        precondition(
            dOutput.rows == offsets.jetCount && dOutput.columns == channels && input.rows == offsets.constituentCount
                && input.columns == channels,
            "AttentionPooling: backward got dOutput \(dOutput), input \(input); forward was [\(offsets.constituentCount), \(channels)] -> [\(offsets.jetCount), \(channels)]")
        inputGradient.resize(rows: input.rows, columns: channels)
        let (channels, scoreWeight) = (channels, scoreWeight)
        inputGradient.storage.withUnsafeMutableBufferPointer { dInp in
            parameters.gradients.withUnsafeMutableBufferPointer { grads in
                parameters.values.withUnsafeBufferPointer { values in
                    dOutput.storage.withUnsafeBufferPointer { dOut in
                        input.storage.withUnsafeBufferPointer { inp in
                            output.storage.withUnsafeBufferPointer { out in
                                attention.withUnsafeBufferPointer { a in
                                    let w = values.baseAddress! + scoreWeight.offset
                                    let dW = grads.baseAddress! + scoreWeight.offset
                                    for jet in 0..<offsets.jetCount {
                                        let g = dOut.baseAddress! + jet * channels
                                        let gDotOutput = dot(g, out.baseAddress! + jet * channels, count: channels)
                                        for r in offsets.rows(of: jet) {
                                            let x = inp.baseAddress! + r * channels
                                            let d = a[r] * (dot(g, x, count: channels) - gDotOutput)
                                            let dx = dInp.baseAddress! + r * channels
                                            for c in 0..<channels {
                                                dx[c] = a[r] * g[c] + d * w[c]
                                                dW[c] += d * x[c]
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
