import JetFeatures
import JetNN

/// A batch of jets as the models read it: the valid constituents packed row after row, their per-jet offsets,
/// and optional jet-level features.
///
/// Shapes: `constituents` [N, F] (N = sum of multiplicities, each jet's constituents in pt order), `offsets`
/// B + 1 row offsets, `jetFeatures` [B, J].
public struct PackedJets: Sendable, Equatable {
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

    /// No jets, for F constituent and K jet-level features (`jetFeatures` nil when K = 0): a set to append to.
    public init(featureCount: Int, jetFeatureCount: Int) {
        self.init(
            constituents: Matrix(rows: 0, columns: featureCount), offsets: JetOffsets(offsets: [0]),
            jetFeatures: jetFeatureCount > 0 ? Matrix(rows: 0, columns: jetFeatureCount) : nil)
    }

    /// The feature extractor's packed output as a batch (no copy of the constituent rows), with its jet-level
    /// features (nil when there are none).
    public init(_ features: PackedFeatureBatch) {
        self.init(
            constituents: Matrix(
                rows: features.offsets.last!, columns: features.constituentFeatureCount,
                storage: features.constituentFeatures),
            offsets: JetOffsets(offsets: features.offsets),
            jetFeatures: features.jetFeatureCount > 0
                ? Matrix(rows: features.count, columns: features.jetFeatureCount, storage: features.jetFeatures) : nil)
    }
}

extension PackedJets {
    /// Appends the jets of `other` (same constituent and jet-level feature counts) after this batch's jets.
    public mutating func append(contentsOf other: PackedJets) {
        precondition(
            other.constituents.columns == constituents.columns && (other.jetFeatures == nil) == (jetFeatures == nil),
            "PackedJets.append: jets with \(other.constituents.columns) constituent features and jet features "
                + "\(other.jetFeatures == nil ? "absent" : "present") do not fit a batch with \(constituents.columns) "
                + "and \(jetFeatures == nil ? "absent" : "present")")
        constituents.append(rowsOf: other.constituents)
        offsets.append(contentsOf: other.offsets)
        if let otherJetFeatures = other.jetFeatures { jetFeatures!.append(rowsOf: otherJetFeatures) }
    }

    /// No jets, keeping the storage (constituent rows, offsets, jet-level features) for the jets appended next.
    public mutating func removeAll() {
        constituents.resize(rows: 0, columns: constituents.columns)
        offsets.removeAll()
        if let columns = jetFeatures?.columns { jetFeatures!.resize(rows: 0, columns: columns) }
    }

    /// The jets at `indices` (in that order, repeats allowed) as a batch of their own: how the trainer gathers a
    /// step's jets.
    public func jets<Indices: Collection<Int>>(at indices: Indices) -> PackedJets {
        let width = constituents.columns
        var rowOffsets = [0]
        rowOffsets.reserveCapacity(indices.count + 1)
        for jet in indices { rowOffsets.append(rowOffsets[rowOffsets.count - 1] + offsets.multiplicity(of: jet)) }
        var packed = Matrix(rows: rowOffsets[rowOffsets.count - 1], columns: width)
        packed.storage.withUnsafeMutableBufferPointer { out in
            constituents.storage.withUnsafeBufferPointer { source in
                for (position, jet) in indices.enumerated() {
                    let (target, rows) = (rowOffsets[position] * width, offsets.rows(of: jet))
                    _ = UnsafeMutableBufferPointer(rebasing: out[target..<(target + rows.count * width)])
                        .update(fromContentsOf: source[(rows.lowerBound * width)..<(rows.upperBound * width)])
                }
            }
        }
        return PackedJets(
            constituents: packed, offsets: JetOffsets(offsets: rowOffsets),
            jetFeatures: jetFeatures.map { features in
                var gathered = Matrix(rows: indices.count, columns: features.columns)
                for (position, jet) in indices.enumerated() {
                    for k in 0..<features.columns { gathered[position, k] = features[jet, k] }
                }
                return gathered
            })
    }

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

extension PackedJets {
    /// Throws when the constituents do not have `constituentFeatures` columns, the jet-level features do not have
    /// `jetFeatures` columns (0: none), or their rows are not one per jet; `model` names the model in the error.
    func check(model: String, constituentFeatures: Int, jetFeatures: Int) throws(JetModelsError) {
        guard constituents.columns == constituentFeatures else {
            throw .featureCount(model: model, input: "constituent", expected: constituentFeatures, got: constituents.columns)
        }
        let jetFeatureCount = self.jetFeatures?.columns ?? 0
        guard jetFeatureCount == jetFeatures else {
            throw .featureCount(model: model, input: "jet-level", expected: jetFeatures, got: jetFeatureCount)
        }
        if let rows = self.jetFeatures?.rows, rows != jetCount {
            throw .jetCount(model: model, expected: jetCount, got: rows)
        }
    }
}
