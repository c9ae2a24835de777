/// Permutation-invariant pooling of each jet's packed constituent rows into one row: [N, C] -> [B, C].
///
/// Only the valid constituents exist in packed form, so no mask is needed; a jet without constituents
/// (n_b = 0) pools to zeros for every mode (and passes no gradient), never NaN.
public struct SetPooling: Sendable {
    public enum Mode: Sendable, Equatable {
        /// sum_i x_i
        case sum
        /// sum_i x_i / n_b
        case mean
        /// max_i x_i per channel (the first maximum receives the gradient)
        case max
    }

    public let mode: Mode
    /// The last forward's result [B, C].
    public private(set) var output = Matrix(rows: 0, columns: 0)
    /// The last backward's d(loss)/d(input) [N, C] (overwritten).
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    /// For `.max`: the packed row of each [B, C] maximum (-1 for an empty jet).
    private var maximumRows: [Int32] = []
    private var forwardOffsets: JetOffsets?

    public init(_ mode: Mode) {
        self.mode = mode
    }

    /// ``output`` [B, C] from packed input [N, C] with jets at `offsets`.
    public mutating func forward(_ input: Matrix, offsets: JetOffsets) {
        precondition(input.rows == offsets.constituentCount, "SetPooling: input has \(input.rows) rows, offsets describe \(offsets.constituentCount) constituents")
        forwardOffsets = offsets
        let channels = input.columns
        output.resize(rows: offsets.jetCount, columns: channels)
        if mode == .max {
            maximumRows.removeAll(keepingCapacity: true)
            maximumRows.append(contentsOf: repeatElement(-1, count: offsets.jetCount * channels))
        }
        let mode = mode
        output.storage.withUnsafeMutableBufferPointer { out in
            input.storage.withUnsafeBufferPointer { inp in
                maximumRows.withUnsafeMutableBufferPointer { argmax in
                    offsets.offsets.withUnsafeBufferPointer { jetOffsets in
                        forEachChunk(of: offsets.jetCount, minimumPerChunk: jetsPerChunk) { jets in
                            poolingForward(
                                mode, out: out.baseAddress, inp: inp.baseAddress, maximumRows: argmax.baseAddress,
                                offsets: jetOffsets.baseAddress!, jets: jets, channels: channels)
                        }
                    }
                }
            }
        }
    }

    /// ``inputGradient`` [N, C] from dOutput [B, C].
    public mutating func backward(dOutput: Matrix, offsets: JetOffsets) {
        guard let forwardOffsets else { preconditionFailure("SetPooling: backward before forward") }
        precondition(offsets == forwardOffsets, "SetPooling: backward got other jets than the last forward")
        precondition(
            dOutput.rows == offsets.jetCount && dOutput.columns == output.columns,
            "SetPooling: dOutput is \(dOutput), expected [\(offsets.jetCount), \(output.columns)]")
        let channels = dOutput.columns
        inputGradient.resize(rows: offsets.constituentCount, columns: channels)
        let mode = mode
        inputGradient.storage.withUnsafeMutableBufferPointer { dInp in
            dOutput.storage.withUnsafeBufferPointer { dOut in
                maximumRows.withUnsafeBufferPointer { argmax in
                    offsets.offsets.withUnsafeBufferPointer { jetOffsets in
                        forEachChunk(of: offsets.jetCount, minimumPerChunk: jetsPerChunk) { jets in
                            poolingBackward(
                                mode, dInp: dInp.baseAddress, dOut: dOut.baseAddress, maximumRows: argmax.baseAddress,
                                offsets: jetOffsets.baseAddress!, jets: jets, channels: channels)
                        }
                    }
                }
            }
        }
    }
}

/// Jets per thread below which pooling stays on one thread.
private let jetsPerChunk = 8

/// The rows `jets` of out[B, C] pooled from inp[N, C]; for `.max` also the packed row of each maximum (-1 for an
/// empty jet).
private func poolingForward(
    _ mode: SetPooling.Mode, out: UnsafeMutablePointer<Float>?, inp: UnsafePointer<Float>?,
    maximumRows: UnsafeMutablePointer<Int32>?, offsets: UnsafePointer<Int>, jets: Range<Int>, channels: Int
) {
    guard let out else { return }
    (out + jets.lowerBound * channels).update(repeating: 0, count: jets.count * channels)
    guard let inp else { return }
    for jet in jets {
        let pooled = out + jet * channels
        let (first, end) = (offsets[jet], offsets[jet + 1])
        guard end > first else { continue }
        switch mode {
        case .sum, .mean:
            for r in first..<end {
                let row = inp + r * channels
                for c in 0..<channels { pooled[c] += row[c] }
            }
            if mode == .mean {
                let inverse = 1 / Float(end - first)
                for c in 0..<channels { pooled[c] *= inverse }
            }
        case .max:
            let argmax = maximumRows! + jet * channels
            pooled.update(from: inp + first * channels, count: channels)
            argmax.update(repeating: Int32(first), count: channels)
            for r in (first + 1)..<end {
                let row = inp + r * channels
                for c in 0..<channels where row[c] > pooled[c] {
                    pooled[c] = row[c]
                    argmax[c] = Int32(r)
                }
            }
        }
    }
}

/// The rows of `jets` in dInp[N, C] from dOut[B, C]: broadcast (sum), broadcast / n_b (mean), or routed to the
/// maximum's row (max).
private func poolingBackward(
    _ mode: SetPooling.Mode, dInp: UnsafeMutablePointer<Float>?, dOut: UnsafePointer<Float>?,
    maximumRows: UnsafePointer<Int32>?, offsets: UnsafePointer<Int>, jets: Range<Int>, channels: Int
) {
    guard let dInp, let dOut, !jets.isEmpty else { return }
    if mode == .max {
        let first = offsets[jets.lowerBound]
        (dInp + first * channels).update(repeating: 0, count: (offsets[jets.upperBound] - first) * channels)
    }
    for jet in jets {
        let (first, end) = (offsets[jet], offsets[jet + 1])
        guard end > first else { continue }
        let dPooled = dOut + jet * channels
        switch mode {
        case .sum, .mean:
            let scale: Float = mode == .mean ? 1 / Float(end - first) : 1
            for r in first..<end {
                let row = dInp + r * channels
                for c in 0..<channels { row[c] = scale * dPooled[c] }
            }
        case .max:
            let argmax = maximumRows! + jet * channels
            for c in 0..<channels { dInp[Int(argmax[c]) * channels + c] += dPooled[c] }
        }
    }
}
