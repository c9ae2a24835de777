import CBLAS
import CJetKernels
import Foundation
import JetCore

/// Multi-head attention over packed jets (PyTorch's `nn.MultiheadAttention` with separate query, key and value
/// projections): the queries of jet b attend to the keys of jet b only, so no padded pair is ever computed and a
/// jet of n constituents costs n^2 per head, not P^2.
///
/// Shapes: queries [Nq, C] packed by `queryOffsets`, keys and values [Nk, C] packed by `keyOffsets` (the same jets;
/// self-attention passes one matrix and one offset table for both). H heads of width d = C / H; per head and jet
/// the logits are S = Q_h K_h^T / sqrt(d) + bias_h, softmax over the jet's keys (the key mask is the packing), and
/// the heads' A_h V_h, concatenated, go through the output projection.
///
/// The optional additive bias is one value per head for every unordered pair of a jet's constituents (self-
/// attention only), given expanded as a ``PairBias`` (built once per batch from the [pairs, H] rows and shared by
/// every block): pair (i, j) and (j, i) read one value, and backward adds d(logits) to the bias's gradient.
///
/// Parameters: "<name>.query|key|value|output.weight" [C, C] and ".bias" [C].
public struct MultiHeadAttention: Sendable {
    public let width: Int
    public let heads: Int
    private var query: Dense
    private var key: Dense
    private var value: Dense
    private var projection: Dense
    /// The heads' outputs side by side [Nq, C]: the output projection's input.
    private var concatenated = Matrix(rows: 0, columns: 0)
    private var dQuery = Matrix(rows: 0, columns: 0)
    private var dKey = Matrix(rows: 0, columns: 0)
    private var dValue = Matrix(rows: 0, columns: 0)
    /// The last forward's attention weights (kept for the backward; ``weights`` shows them): per jet, per head,
    /// [nq, nk] row-major, jet after jet.
    private var attention: [Float] = []
    /// Where each jet's weights start in ``attention`` ([B + 1]).
    private var attentionOffsets: [Int] = []
    /// The last backward's d(loss)/d(queries) [Nq, C].
    public var queryInputGradient: Matrix { query.inputGradient }
    /// The last backward's d(loss)/d(keys and values) [Nk, C] (the sum of both paths).
    public private(set) var keyValueInputGradient = Matrix(rows: 0, columns: 0)
    /// Per part of the jets: a [nq, nk] workspace for d(attention) of the largest jet.
    private var workspace: [Float] = []
    private var forwardShape: (queries: JetOffsets, keys: JetOffsets, biased: Bool)?

    /// The last forward's result [Nq, C].
    public var output: Matrix { projection.output }

    /// The last forward's softmax weights (nil before any forward).
    public var weights: AttentionWeights? {
        forwardShape.map { AttentionWeights(heads: heads, queryOffsets: $0.queries, keyOffsets: $0.keys, values: attention, starts: attentionOffsets) }
    }

    /// Registers the four projections (PyTorch's initialisation: Glorot-uniform weights, zero biases).
    public init(_ name: String, width: Int, heads: Int, parameters: inout Parameters, rng: inout SeededGenerator) {
        precondition(heads > 0 && width > 0 && width % heads == 0, "MultiHeadAttention '\(name)': \(heads) heads do not divide width \(width)")
        self.width = width
        self.heads = heads
        func dense(_ part: String) -> Dense {
            Dense("\(name).\(part)", inputCount: width, outputCount: width, parameters: &parameters, rng: &rng)
        }
        query = dense("query")
        key = dense("key")
        value = dense("value")
        projection = dense("output")
    }

    /// ``output`` [Nq, C] for queries [Nq, C] and keys/values [Nk, C] of the same jets.
    ///
    /// - Parameter bias: the expanded pair bias of these jets (nil: none); needs `queryOffsets == keyOffsets`.
    public mutating func forward(
        queries: Matrix, queryOffsets: JetOffsets, keysAndValues: Matrix, keyOffsets: JetOffsets, bias: PairBias?,
        parameters: Parameters
    ) {
        precondition(queryOffsets.jetCount == keyOffsets.jetCount, "MultiHeadAttention: \(queryOffsets.jetCount) query jets, \(keyOffsets.jetCount) key jets")
        precondition(queries.rows == queryOffsets.constituentCount && keysAndValues.rows == keyOffsets.constituentCount, "MultiHeadAttention: rows do not match the offsets")
        if let bias {
            precondition(queryOffsets == keyOffsets, "MultiHeadAttention: a pair bias needs self-attention")
            precondition(bias.heads == heads, "MultiHeadAttention: a pair bias of \(bias.heads) heads for \(heads) heads")
        }
        forwardShape = (queryOffsets, keyOffsets, bias != nil)
        query.forward(queries, parameters: parameters)
        key.forward(keysAndValues, parameters: parameters)
        value.forward(keysAndValues, parameters: parameters)
        let jets = queryOffsets.jetCount
        attentionOffsets = [0]
        attentionOffsets.reserveCapacity(jets + 1)
        for jet in 0..<jets {
            attentionOffsets.append(attentionOffsets[jet] + heads * queryOffsets.multiplicity(of: jet) * keyOffsets.multiplicity(of: jet))
        }
        if let bias { precondition(bias.starts == attentionOffsets, "MultiHeadAttention: the pair bias was expanded for other jets") }
        attention.removeAll(keepingCapacity: true)
        attention.append(contentsOf: repeatElement(0, count: attentionOffsets[jets]))
        concatenated.resize(rows: queries.rows, columns: width)
        let (width, heads, attentionOffsets) = (width, heads, attentionOffsets)
        concatenated.storage.withUnsafeMutableBufferPointer { out in
            attention.withUnsafeMutableBufferPointer { a in
                query.output.storage.withUnsafeBufferPointer { q in
                    key.output.storage.withUnsafeBufferPointer { k in
                        value.output.storage.withUnsafeBufferPointer { v in
                            (bias?.values ?? []).withUnsafeBufferPointer { b in
                                let pointers = AttentionPointers(
                                    q: q.baseAddress, k: k.baseAddress, v: v.baseAddress, out: out.baseAddress,
                                    attention: a.baseAddress, bias: bias == nil ? nil : b.baseAddress)
                                jetSplit(jets).forEachPart { _, part in
                                    for jet in part {
                                        attentionForward(
                                            pointers, jet: JetSlots(jet, queryOffsets, keyOffsets, attentionOffsets),
                                            width: width, heads: heads)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        projection.forward(concatenated, parameters: parameters)
    }

    /// Accumulates the projections' gradients, sets ``queryInputGradient`` and ``keyValueInputGradient`` and adds
    /// d(loss)/d(bias) to `bias.gradient` (with a bias).
    ///
    /// - Parameters:
    ///   - dOutput: d(loss)/d(output) [Nq, C].
    ///   - queries, keysAndValues: the inputs of the last forward.
    ///   - bias: the pair bias of the last forward (nil when it had none).
    public mutating func backward(
        _ parameters: inout Parameters, dOutput: Matrix, queries: Matrix, keysAndValues: Matrix, bias: inout PairBias?
    ) {
        guard let (queryOffsets, keyOffsets, biased) = forwardShape else { preconditionFailure("MultiHeadAttention: backward before forward") }
        precondition(biased == (bias != nil), "MultiHeadAttention: backward needs the forward's pair bias")
        if let bias { precondition(bias.gradient.count == attentionOffsets[attentionOffsets.count - 1], "MultiHeadAttention: the pair bias's gradient does not fit") }
        projection.backward(&parameters, dOutput: dOutput, input: concatenated)
        dQuery.resize(rows: queries.rows, columns: width)
        dKey.resize(rows: keysAndValues.rows, columns: width)
        dValue.resize(rows: keysAndValues.rows, columns: width)
        let jets = queryOffsets.jetCount
        let split = jetSplit(jets)
        var largest = 0
        for jet in 0..<jets { largest = max(largest, queryOffsets.multiplicity(of: jet) * keyOffsets.multiplicity(of: jet)) }
        workspace.removeAll(keepingCapacity: true)
        workspace.append(contentsOf: repeatElement(0, count: split.parts * largest))
        let (width, heads, attentionOffsets) = (width, heads, attentionOffsets)
        var biasGradient = bias?.gradient ?? []
        bias?.gradient = []
        defer { bias?.gradient = biasGradient }
        let dConcatenated = projection.inputGradient
        dQuery.storage.withUnsafeMutableBufferPointer { dq in
            dKey.storage.withUnsafeMutableBufferPointer { dk in
                dValue.storage.withUnsafeMutableBufferPointer { dv in
                    biasGradient.withUnsafeMutableBufferPointer { db in
                        workspace.withUnsafeMutableBufferPointer { scratch in
                            dConcatenated.storage.withUnsafeBufferPointer { dOut in
                                attention.withUnsafeBufferPointer { a in
                                    query.output.storage.withUnsafeBufferPointer { q in
                                        key.output.storage.withUnsafeBufferPointer { k in
                                            value.output.storage.withUnsafeBufferPointer { v in
                                                let pointers = AttentionGradientPointers(
                                                    q: q.baseAddress, k: k.baseAddress, v: v.baseAddress,
                                                    attention: a.baseAddress, dOut: dOut.baseAddress, dq: dq.baseAddress,
                                                    dk: dk.baseAddress, dv: dv.baseAddress, dBias: biased ? db.baseAddress : nil)
                                                split.forEachPart { partIndex, part in
                                                    for jet in part {
                                                        attentionBackward(
                                                            pointers, jet: JetSlots(jet, queryOffsets, keyOffsets, attentionOffsets),
                                                            scratch: scratch.baseAddress! + partIndex * largest, width: width, heads: heads)
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
        query.backward(&parameters, dOutput: dQuery, input: queries)
        key.backward(&parameters, dOutput: dKey, input: keysAndValues)
        value.backward(&parameters, dOutput: dValue, input: keysAndValues)
        keyValueInputGradient.setSum(key.inputGradient, value.inputGradient)
    }
}

extension MultiHeadAttention {
    /// ``backward(_:dOutput:queries:keysAndValues:bias:)`` after a forward without a pair bias.
    public mutating func backward(_ parameters: inout Parameters, dOutput: Matrix, queries: Matrix, keysAndValues: Matrix) {
        var none: PairBias?
        backward(&parameters, dOutput: dOutput, queries: queries, keysAndValues: keysAndValues, bias: &none)
    }
}

extension JetOffsets {
    /// Unordered pairs (i >= j) of every jet: sum of n (n + 1) / 2.
    public var pairCount: Int { pairOffsets[jetCount] }

    /// [B + 1] offsets of each jet's unordered pairs (i >= j, the diagonal included) in a per-pair matrix.
    public var pairOffsets: [Int] {
        var offsets = [0]
        offsets.reserveCapacity(jetCount + 1)
        for jet in 0..<jetCount {
            let n = multiplicity(of: jet)
            offsets.append(offsets[jet] + n * (n + 1) / 2)
        }
        return offsets
    }
}

/// Jets per part of the attention loops (each jet's work is independent, so any split gives the same bits).
private func jetSplit(_ jets: Int) -> RowSplit { RowSplit(jets, minimumPerPart: 4) }

/// One jet's rows: first query row, first key row, counts, where its weights (and expanded bias) start.
private struct JetSlots {
    let firstQuery: Int, queries: Int, firstKey: Int, keys: Int, attention: Int

    init(_ jet: Int, _ queryOffsets: JetOffsets, _ keyOffsets: JetOffsets, _ attentionOffsets: [Int]) {
        firstQuery = queryOffsets.offsets[jet]
        queries = queryOffsets.multiplicity(of: jet)
        firstKey = keyOffsets.offsets[jet]
        keys = keyOffsets.multiplicity(of: jet)
        attention = attentionOffsets[jet]
    }
}

private struct AttentionPointers: @unchecked Sendable {
    let q: UnsafePointer<Float>?, k: UnsafePointer<Float>?, v: UnsafePointer<Float>?
    let out: UnsafeMutablePointer<Float>?, attention: UnsafeMutablePointer<Float>?, bias: UnsafePointer<Float>?
}

private struct AttentionGradientPointers: @unchecked Sendable {
    let q: UnsafePointer<Float>?, k: UnsafePointer<Float>?, v: UnsafePointer<Float>?, attention: UnsafePointer<Float>?
    let dOut: UnsafePointer<Float>?
    let dq: UnsafeMutablePointer<Float>?, dk: UnsafeMutablePointer<Float>?, dv: UnsafeMutablePointer<Float>?
    let dBias: UnsafeMutablePointer<Float>?
}

/// One jet, every head: A_h = softmax(Q_h K_h^T / sqrt(d) + bias_h) into `attention` (the logits start as the
/// expanded bias, the product added on top), A_h V_h into the heads' columns of `out`.
private func attentionForward(_ p: AttentionPointers, jet: JetSlots, width: Int, heads: Int) {
    let (nq, nk) = (jet.queries, jet.keys)
    guard nq > 0, nk > 0, let q = p.q, let k = p.k, let v = p.v, let out = p.out, let a = p.attention else { return }
    let d = width / heads
    let scale = 1 / Float(d).squareRoot()
    for h in 0..<heads {
        let weights = a + jet.attention + h * nq * nk
        if let bias = p.bias { weights.update(from: bias + jet.attention + h * nq * nk, count: nq * nk) }
        gemm(
            transposeA: false, transposeB: true, m: nq, n: nk, k: d, alpha: scale,
            a: q + jet.firstQuery * width + h * d, lda: width, b: k + jet.firstKey * width + h * d, ldb: width,
            beta: p.bias == nil ? 0 : 1, c: weights, ldc: nk)
        for i in 0..<nq { softmaxInPlace(weights + i * nk, count: nk) }
        gemm(
            transposeA: false, transposeB: false, m: nq, n: d, k: nk,
            a: weights, lda: nk, b: v + jet.firstKey * width + h * d, ldb: width,
            beta: 0, c: out + jet.firstQuery * width + h * d, ldc: width)
    }
}

/// One jet, every head: with G = dOut_h, dV_h = A^T G, dA = G V_h^T, dS = A * (dA - rowsum(dA * A)),
/// dQ_h = dS K_h / sqrt(d), dK_h = dS^T Q_h / sqrt(d), dBias += dS (the expanded layout).
private func attentionBackward(
    _ p: AttentionGradientPointers, jet: JetSlots, scratch: UnsafeMutablePointer<Float>, width: Int, heads: Int
) {
    let (nq, nk) = (jet.queries, jet.keys)
    guard let dq = p.dq, let dk = p.dk, let dv = p.dv else { return }
    for r in 0..<nq { (dq + (jet.firstQuery + r) * width).update(repeating: 0, count: width) }
    for r in 0..<nk {
        (dk + (jet.firstKey + r) * width).update(repeating: 0, count: width)
        (dv + (jet.firstKey + r) * width).update(repeating: 0, count: width)
    }
    guard nq > 0, nk > 0, let q = p.q, let k = p.k, let v = p.v, let a = p.attention, let dOut = p.dOut else { return }
    let d = width / heads
    let scale = 1 / Float(d).squareRoot()
    for h in 0..<heads {
        let weights = a + jet.attention + h * nq * nk
        let g = dOut + jet.firstQuery * width + h * d
        gemm(
            transposeA: true, transposeB: false, m: nk, n: d, k: nq, a: weights, lda: nk, b: g, ldb: width,
            beta: 0, c: dv + jet.firstKey * width + h * d, ldc: width)
        gemm(
            transposeA: false, transposeB: true, m: nq, n: nk, k: d, a: g, lda: width,
            b: v + jet.firstKey * width + h * d, ldb: width, beta: 0, c: scratch, ldc: nk)
        for i in 0..<nq {
            let (row, weightRow) = (scratch + i * nk, weights + i * nk)
            let total = dot(row, weightRow, count: nk)
            for j in 0..<nk { row[j] = weightRow[j] * (row[j] - total) }
        }
        if let dBias = p.dBias { addElementwise(dBias + jet.attention + h * nq * nk, dBias + jet.attention + h * nq * nk, scratch, count: nq * nk) }
        gemm(
            transposeA: false, transposeB: false, m: nq, n: d, k: nk, alpha: scale, a: scratch, lda: nk,
            b: k + jet.firstKey * width + h * d, ldb: width, beta: 0, c: dq + jet.firstQuery * width + h * d, ldc: width)
        gemm(
            transposeA: true, transposeB: false, m: nk, n: d, k: nq, alpha: scale, a: scratch, lda: nk,
            b: q + jet.firstQuery * width + h * d, ldb: width, beta: 0, c: dk + jet.firstKey * width + h * d, ldc: width)
    }
}

/// x = softmax(x) over `count` values (SIMD, polynomial exp: see ``VectorMath``).
@inline(__always)
func softmaxInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
    jt_softmax(VectorMath.isa, x, count)
}
