import JetCore
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
    /// d(loss)/d(score) per constituent [N], backward's workspace.
    private var scoreGradient: [Float] = []
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
                        offsets.offsets.withUnsafeBufferPointer { jetOffsets in
                            attentionForward(
                                out: out.baseAddress, attention: a.baseAddress, inp: inp.baseAddress,
                                weight: values.baseAddress! + scoreWeight.offset, offsets: jetOffsets.baseAddress!,
                                jetCount: offsets.jetCount, channels: channels)
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
        scoreGradient.removeAll(keepingCapacity: true)
        scoreGradient.append(contentsOf: repeatElement(0, count: input.rows))
        let (channels, scoreWeight) = (channels, scoreWeight)
        inputGradient.storage.withUnsafeMutableBufferPointer { dInp in
            scoreGradient.withUnsafeMutableBufferPointer { dScore in
                parameters.gradients.withUnsafeMutableBufferPointer { grads in
                    parameters.values.withUnsafeBufferPointer { values in
                        dOutput.storage.withUnsafeBufferPointer { dOut in
                            input.storage.withUnsafeBufferPointer { inp in
                                output.storage.withUnsafeBufferPointer { out in
                                    attention.withUnsafeBufferPointer { a in
                                        offsets.offsets.withUnsafeBufferPointer { jetOffsets in
                                            attentionBackward(
                                                dInp: dInp.baseAddress, dScore: dScore.baseAddress,
                                                dWeight: grads.baseAddress! + scoreWeight.offset, dOut: dOut.baseAddress,
                                                inp: inp.baseAddress, out: out.baseAddress, attention: a.baseAddress,
                                                weight: values.baseAddress! + scoreWeight.offset,
                                                offsets: jetOffsets.baseAddress!, jetCount: offsets.jetCount, channels: channels)
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

/// out[B, C] = sum over each jet of attention[i] * inp[i, :], attention = per-jet softmax of inp * weight.
private func attentionForward(
    out: UnsafeMutablePointer<Float>?, attention: UnsafeMutablePointer<Float>?, inp: UnsafePointer<Float>?,
    weight: UnsafePointer<Float>, offsets: UnsafePointer<Int>, jetCount: Int, channels: Int
) {
    guard let out else { return }
    out.update(repeating: 0, count: jetCount * channels)
    guard let a = attention, let inp else { return }
    gemm(transposeA: false, transposeB: false, m: offsets[jetCount], n: 1, k: channels, a: inp, b: weight, beta: 0, c: a)
    for jet in 0..<jetCount {
        let (first, end) = (offsets[jet], offsets[jet + 1])
        guard end > first else { continue }
        let pooled = out + jet * channels
        var maximum = -Float.infinity
        for r in first..<end { maximum = max(maximum, a[r]) }
        var total: Float = 0
        for r in first..<end {
            a[r] = exp(a[r] - maximum)
            total += a[r]
        }
        for r in first..<end {
            a[r] /= total
            let row = inp + r * channels
            for c in 0..<channels { pooled[c] += a[r] * row[c] }
        }
    }
}

/// With g the jet's dOut row and d_i = a_i (g . x_i - g . out): dInp_i = a_i g + d_i w, dWeight += inp^T d.
private func attentionBackward(
    dInp: UnsafeMutablePointer<Float>?, dScore: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
    dOut: UnsafePointer<Float>?, inp: UnsafePointer<Float>?, out: UnsafePointer<Float>?, attention: UnsafePointer<Float>?,
    weight: UnsafePointer<Float>, offsets: UnsafePointer<Int>, jetCount: Int, channels: Int
) {
    guard let dx = dInp, let d = dScore, let g = dOut, let inp, let out, let a = attention else { return }
    for jet in 0..<jetCount {
        let gJet = g + jet * channels
        let gDotOutput = dot(gJet, out + jet * channels, count: channels)
        for r in offsets[jet]..<offsets[jet + 1] {
            d[r] = a[r] * (dot(gJet, inp + r * channels, count: channels) - gDotOutput)
            let dxRow = dx + r * channels
            for c in 0..<channels { dxRow[c] = a[r] * gJet[c] + d[r] * weight[c] }
        }
    }
    gemm(transposeA: true, transposeB: false, m: channels, n: 1, k: offsets[jetCount], a: inp, b: d, beta: 1, c: dWeight)
}
