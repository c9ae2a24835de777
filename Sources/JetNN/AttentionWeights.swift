/// A snapshot of one attention layer's softmax weights from its last forward, per jet and head over the jet's
/// real constituents only: jet b's queries attend to jet b's keys, so a nonexistent (padded) slot has no entry.
///
/// Layout of ``values``: jet after jet, head after head, each head a [nq, nk] row-major block (nq, nk the jet's
/// query and key counts); jet b's block starts at ``starts``[b]. Each row sums to 1 over the jet's keys.
/// Taking the snapshot copies nothing: the layer keeps these weights for its backward anyway.
public struct AttentionWeights: Sendable, Equatable {
    public let heads: Int
    public let queryOffsets: JetOffsets
    public let keyOffsets: JetOffsets
    public let values: [Float]
    /// [B + 1] where each jet's weights start in ``values``.
    public let starts: [Int]

    public init(heads: Int, queryOffsets: JetOffsets, keyOffsets: JetOffsets, values: [Float], starts: [Int]) {
        precondition(
            starts.count == queryOffsets.jetCount + 1 && keyOffsets.jetCount == queryOffsets.jetCount
                && starts.last == values.count,
            "AttentionWeights: \(values.count) weights, \(starts.count) starts for \(queryOffsets.jetCount) jets")
        (self.heads, self.queryOffsets, self.keyOffsets, self.values, self.starts) =
            (heads, queryOffsets, keyOffsets, values, starts)
    }

    public var jetCount: Int { queryOffsets.jetCount }

    /// The weight of query `query` on key `key` of `jet` in `head` (both counted from 0 within the jet).
    public func weight(jet: Int, head: Int, query: Int, key: Int) -> Float {
        let (nq, nk) = (queryOffsets.multiplicity(of: jet), keyOffsets.multiplicity(of: jet))
        precondition(head < heads && query < nq && key < nk, "AttentionWeights: jet \(jet) has \(nq) queries, \(nk) keys, \(heads) heads")
        return values[starts[jet] + (head * nq + query) * nk + key]
    }
}
