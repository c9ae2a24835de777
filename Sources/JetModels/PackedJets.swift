import JetNN

/// A batch of jets as the models read it: the valid constituents packed row after row, their per-jet offsets,
/// and optional jet-level features.
///
/// Shapes: `constituents` [N, F] (N = sum of multiplicities, each jet's constituents in pt order), `offsets`
/// B + 1 row offsets, `jetFeatures` [B, J].
public struct PackedJets: Sendable {
    public var constituents: Matrix
    public var offsets: JetOffsets
    public var jetFeatures: Matrix?

    /// Number of jets B.
    public var jetCount: Int { offsets.jetCount }

    public init(constituents: Matrix, offsets: JetOffsets, jetFeatures: Matrix? = nil) {
        precondition(
            constituents.rows == offsets.constituentCount,
            "PackedJets: \(constituents.rows) constituent rows, the offsets describe \(offsets.constituentCount)")
        self.constituents = constituents
        self.offsets = offsets
        self.jetFeatures = jetFeatures
    }

    /// Packs a zero-padded [B, P, F] array whose jets have the given multiplicities (valid slots first).
    ///
    /// - Parameters:
    ///   - padded: [B, P, F] row-major.
    ///   - multiplicities: [B] valid constituents per jet, each in 0...P.
    ///   - jetFeatures: [B, J] or nil.
    public init(
        padded: [Float], multiplicities: [Int32], maxConstituents: Int, features: Int, jetFeatures: Matrix? = nil
    ) throws(JetNNError) {
        let offsets = try JetOffsets(multiplicities: multiplicities, maxConstituents: maxConstituents)
        self.init(
            constituents: offsets.pack(padded, maxConstituents: maxConstituents, features: features),
            offsets: offsets, jetFeatures: jetFeatures)
    }
}

extension PackedJets {
    /// The jets `range` as a batch of their own (a copy: constituent rows, offsets from 0, jet-level feature rows).
    public func jets(_ range: Range<Int>) -> PackedJets {
        let rows = offsets.offsets[range.lowerBound]..<offsets.offsets[range.upperBound]
        let columns = constituents.columns
        return PackedJets(
            constituents: Matrix(
                rows: rows.count, columns: columns,
                storage: Array(constituents.storage[(rows.lowerBound * columns)..<(rows.upperBound * columns)])),
            offsets: JetOffsets(offsets: offsets.offsets[range.lowerBound...range.upperBound].map { $0 - rows.lowerBound }),
            jetFeatures: jetFeatures.map { features in
                Matrix(
                    rows: range.count, columns: features.columns,
                    storage: Array(features.storage[(range.lowerBound * features.columns)..<(range.upperBound * features.columns)]))
            })
    }
}
