import JetCore

/// A self-attention pair bias expanded once per batch for every block that reads it: the [pairs, H] rows (one
/// value per head for each unordered pair i >= j of a jet, ``JetOffsets/pairOffsets`` order, ParT's symmetric
/// interaction matrix) laid out as the attention weights are, per jet, per head, the full [n, n] matrix row-major.
/// ``MultiHeadAttention`` starts each head's logits from it (the QK^T product added on top) and adds its d(logits)
/// into ``gradient`` in the same layout, so L blocks share one expansion and one fold instead of gathering and
/// scattering through the triangle L times per head.
public struct PairBias: Sendable {
    public let heads: Int
    /// The expanded bias: jet b's H x n_b x n_b values start at ``starts``[b].
    public private(set) var values: [Float] = []
    /// Where each jet's values start ([B + 1]).
    public private(set) var starts: [Int] = [0]
    /// d(loss)/d(values), same layout: zeroed by ``expand(_:offsets:)`` and ``resetGradient()``, added to by every
    /// ``MultiHeadAttention/backward(_:dOutput:queries:keysAndValues:bias:)``.
    public internal(set) var gradient: [Float] = []
    private var offsets: JetOffsets?

    public init(heads: Int) {
        precondition(heads > 0, "PairBias: heads must be > 0")
        self.heads = heads
    }

    /// ``expand(_:offsets:)`` of `bias` [pairs, H] into a new pair bias of `heads` heads.
    public init(_ bias: Matrix, offsets: JetOffsets, heads: Int) {
        self.init(heads: heads)
        expand(bias, offsets: offsets)
    }

    /// Expands `bias` [pairs, H] of the jets `offsets` and zeroes ``gradient``.
    public mutating func expand(_ bias: Matrix, offsets: JetOffsets) {
        precondition(
            bias.rows == offsets.pairCount && bias.columns == heads,
            "PairBias: bias is \(bias), expected [\(offsets.pairCount), \(heads)]")
        self.offsets = offsets
        let heads = heads
        starts = [0]
        starts.reserveCapacity(offsets.jetCount + 1)
        for jet in 0..<offsets.jetCount {
            let n = offsets.multiplicity(of: jet)
            starts.append(starts[jet] + heads * n * n)
        }
        values.removeAll(keepingCapacity: true)
        values.append(contentsOf: repeatElement(0, count: starts[offsets.jetCount]))
        resetGradient()
        let (pairOffsets, starts) = (offsets.pairOffsets, starts)
        values.withUnsafeMutableBufferPointer { out in
            bias.storage.withUnsafeBufferPointer { b in
                let pointers = BiasPointers(source: b.baseAddress, target: out.baseAddress)
                RowSplit(offsets.jetCount, minimumPerPart: 4).forEachPart { _, jets in
                    for jet in jets {
                        let n = offsets.multiplicity(of: jet)
                        guard n > 0, let pairs = pointers.source, let expanded = pointers.target else { continue }
                        for h in 0..<heads {
                            let head = expanded + starts[jet] + h * n * n
                            let column = pairs + pairOffsets[jet] * heads + h
                            for i in 0..<n {
                                for j in 0...i {
                                    let value = column[(i * (i + 1) / 2 + j) * heads]
                                    head[i * n + j] = value
                                    head[j * n + i] = value
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Zeroes ``gradient`` (one entry per value).
    public mutating func resetGradient() {
        gradient.removeAll(keepingCapacity: true)
        gradient.append(contentsOf: repeatElement(0, count: values.count))
    }

    /// ``gradient`` folded back to the [pairs, H] rows of the last ``expand(_:offsets:)``: each pair's entry is the
    /// sum over both orders (i, j) and (j, i), the diagonal's once.
    public func foldedGradient(into result: inout Matrix) {
        guard let offsets else { preconditionFailure("PairBias: fold before expand") }
        result.resize(rows: offsets.pairCount, columns: heads)
        let (heads, pairOffsets, starts) = (heads, offsets.pairOffsets, starts)
        result.storage.withUnsafeMutableBufferPointer { out in
            gradient.withUnsafeBufferPointer { g in
                let pointers = BiasPointers(source: g.baseAddress, target: out.baseAddress)
                RowSplit(offsets.jetCount, minimumPerPart: 4).forEachPart { _, jets in
                    for jet in jets {
                        let n = offsets.multiplicity(of: jet)
                        guard n > 0, let expanded = pointers.source, let pairs = pointers.target else { continue }
                        for h in 0..<heads {
                            let head = expanded + starts[jet] + h * n * n
                            let column = pairs + pairOffsets[jet] * heads + h
                            for i in 0..<n {
                                for j in 0..<i {
                                    column[(i * (i + 1) / 2 + j) * heads] = head[i * n + j] + head[j * n + i]
                                }
                                column[(i * (i + 1) / 2 + i) * heads] = head[i * n + i]
                            }
                        }
                    }
                }
            }
        }
    }
}

private struct BiasPointers: @unchecked Sendable {
    let source: UnsafePointer<Float>?, target: UnsafeMutablePointer<Float>?
}
