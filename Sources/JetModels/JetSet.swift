import JetData
import JetFeatures
import JetNN

/// Jets held in memory as standardised network inputs, packed (only real constituents are stored), with
/// their labels, training weights and event numbers.
///
/// Sizes: B = `count` jets, N = valid constituents in total, F = `featureCount`, K = `jetFeatureCount`.
/// `constituents` is [N, F] row-major, jet b owning rows `offsets[b]..<offsets[b + 1]`; `jetFeatures` is
/// [B, K]; `fields` holds the raw jet columns kinematic weighting bins in.
public struct JetSet: Sendable {
    public private(set) var count = 0
    public let featureCount: Int
    public let jetFeatureCount: Int
    public private(set) var constituents: [Float] = []
    public private(set) var offsets: [Int] = [0]
    public private(set) var jetFeatures: [Float] = []
    public var labels: [Int32] = []
    public var weights: [Float] = []
    public private(set) var eventNumbers: [Int64] = []
    public private(set) var fields: [String: [Float]] = [:]

    /// An empty set for F constituent and K jet features.
    public init(featureCount: Int, jetFeatureCount: Int) {
        self.featureCount = featureCount
        self.jetFeatureCount = jetFeatureCount
    }

    /// Appends a batch's features and per-jet values.
    ///
    /// - Parameters:
    ///   - features: the extractor's output for the batch (valid constituents form a prefix of each jet).
    ///   - labels, weights, eventNumbers: [B].
    ///   - fields: raw jet columns [B] to keep (binning variables).
    public mutating func append(
        _ features: FeatureBatch, labels: [Int32], weights: [Float], eventNumbers: [Int64], fields: [String: [Float]]
    ) {
        precondition(features.constituentFeatureCount == featureCount && features.jetFeatureCount == jetFeatureCount)
        let (slots, width) = (features.maxConstituents, featureCount)
        for jet in 0..<features.count {
            var multiplicity = 0
            while multiplicity < slots && features.mask[jet * slots + multiplicity] == 1 { multiplicity += 1 }
            let start = jet * slots * width
            constituents.append(contentsOf: features.constituentFeatures[start..<(start + multiplicity * width)])
            offsets.append(offsets[offsets.count - 1] + multiplicity)
        }
        jetFeatures += features.jetFeatures
        self.labels += labels
        self.weights += weights
        self.eventNumbers += eventNumbers
        for (name, column) in fields { self.fields[name, default: []] += column }
        count += features.count
    }

    /// Appends the jets of `other` (same feature counts; its raw jet fields are appended to the same names).
    public mutating func append(contentsOf other: JetSet) {
        precondition(other.featureCount == featureCount && other.jetFeatureCount == jetFeatureCount)
        let base = offsets[offsets.count - 1]
        constituents += other.constituents
        offsets += other.offsets.dropFirst().map { $0 + base }
        jetFeatures += other.jetFeatures
        labels += other.labels
        weights += other.weights
        eventNumbers += other.eventNumbers
        for (name, column) in other.fields { fields[name, default: []] += column }
        count += other.count
    }

    /// The jets at `indices` packed for a model.
    public func batch<Indices: Collection<Int>>(_ indices: Indices) throws(JetNNError) -> PackedJets {
        var rows = 0
        for jet in indices { rows += offsets[jet + 1] - offsets[jet] }
        var packed = [Float](repeating: 0, count: rows * featureCount)
        var jetOffsets = [0]
        jetOffsets.reserveCapacity(indices.count + 1)
        var jetValues = [Float](repeating: 0, count: indices.count * jetFeatureCount)
        packed.withUnsafeMutableBufferPointer { out in
            constituents.withUnsafeBufferPointer { source in
                var row = 0
                for jet in indices {
                    let n = offsets[jet + 1] - offsets[jet]
                    (out.baseAddress! + row * featureCount)
                        .update(from: source.baseAddress! + offsets[jet] * featureCount, count: n * featureCount)
                    row += n
                    jetOffsets.append(row)
                }
            }
        }
        for (position, jet) in indices.enumerated() {
            for k in 0..<jetFeatureCount {
                jetValues[position * jetFeatureCount + k] = jetFeatures[jet * jetFeatureCount + k]
            }
        }
        let multiplicities = zip(jetOffsets.dropFirst(), jetOffsets).map { Int32($0 - $1) }
        let jetOffsetTable = try JetOffsets(
            multiplicities: multiplicities, maxConstituents: Int(multiplicities.max() ?? 0))
        return PackedJets(
            constituents: Matrix(rows: rows, columns: featureCount, storage: packed), offsets: jetOffsetTable,
            jetFeatures: jetFeatureCount > 0
                ? Matrix(rows: indices.count, columns: jetFeatureCount, storage: jetValues) : nil)
    }

    /// The subset at `indices` (in that order, repeats allowed) with new `weights`.
    public func subset(_ indices: [Int], weights newWeights: [Float]) -> JetSet {
        var result = JetSet(featureCount: featureCount, jetFeatureCount: jetFeatureCount)
        for jet in indices {
            result.constituents.append(
                contentsOf: constituents[(offsets[jet] * featureCount)..<(offsets[jet + 1] * featureCount)])
            result.offsets.append(result.offsets[result.offsets.count - 1] + offsets[jet + 1] - offsets[jet])
            result.jetFeatures.append(contentsOf: jetFeatures[(jet * jetFeatureCount)..<((jet + 1) * jetFeatureCount)])
        }
        result.labels = indices.map { labels[$0] }
        result.weights = newWeights
        result.eventNumbers = indices.map { eventNumbers[$0] }
        result.fields = fields.mapValues { column in indices.map { column[$0] } }
        result.count = indices.count
        return result
    }
}
