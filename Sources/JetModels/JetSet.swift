import JetFeatures
import JetNN

/// Jets held in memory for training: the standardised network inputs, packed as the models read them, with
/// per-jet columns beside them (labels, training weights, event numbers and raw jet fields), all aligned with
/// the jets.
///
/// Sizes: B = `count` jets. `inputs` holds the packed constituents [N, F] and jet-level features [B, K];
/// `labels`, `weights`, `eventNumbers` and every column of `fields` (the raw jet columns kinematic weighting
/// bins in) are [B].
public struct JetSet: Sendable {
    public private(set) var inputs: PackedJets
    public var labels: [Int32] = []
    public var weights: [Float] = []
    public private(set) var eventNumbers: [Int64] = []
    public private(set) var fields: [String: [Float]] = [:]

    /// Number of jets B.
    public var count: Int { inputs.jetCount }

    /// An empty set for F constituent and K jet features.
    public init(featureCount: Int, jetFeatureCount: Int) {
        inputs = PackedJets(featureCount: featureCount, jetFeatureCount: jetFeatureCount)
    }

    init(
        inputs: PackedJets, labels: [Int32], weights: [Float], eventNumbers: [Int64], fields: [String: [Float]]
    ) {
        (self.inputs, self.labels, self.weights, self.eventNumbers, self.fields) =
            (inputs, labels, weights, eventNumbers, fields)
    }

    /// Appends a batch's features and per-jet values.
    ///
    /// - Parameters:
    ///   - features: the extractor's packed output for the batch.
    ///   - labels, weights, eventNumbers: [B].
    ///   - fields: raw jet columns [B] to keep (binning variables).
    public mutating func append(
        _ features: PackedFeatureBatch, labels: [Int32], weights: [Float], eventNumbers: [Int64], fields: [String: [Float]]
    ) {
        append(
            contentsOf: JetSet(
                inputs: PackedJets(features), labels: labels, weights: weights, eventNumbers: eventNumbers,
                fields: fields))
    }

    /// Appends the jets of `other` (same feature counts; its raw jet fields are appended to the same names).
    public mutating func append(contentsOf other: JetSet) {
        precondition(
            [other.labels.count, other.weights.count, other.eventNumbers.count].allSatisfy { $0 == other.count }
                && other.fields.values.allSatisfy { $0.count == other.count },
            "JetSet.append: \(other.count) jets need as many labels, weights, event numbers and field values")
        inputs.append(contentsOf: other.inputs)
        labels += other.labels
        weights += other.weights
        eventNumbers += other.eventNumbers
        for (name, column) in other.fields { fields[name, default: []] += column }
    }

    /// No jets, keeping every array's storage for the jets appended next: how a stream reuses a round's memory.
    public mutating func removeAll() {
        inputs.removeAll()
        labels.removeAll(keepingCapacity: true)
        weights.removeAll(keepingCapacity: true)
        eventNumbers.removeAll(keepingCapacity: true)
        for name in Array(fields.keys) { fields[name]!.removeAll(keepingCapacity: true) }
    }

    /// The jets at `indices` packed for a model (see ``PackedJets/jets(at:)``).
    public func batch<Indices: Collection<Int>>(_ indices: Indices) -> PackedJets { inputs.jets(at: indices) }

    /// The subset at `indices` (in that order, repeats allowed) with new `weights`.
    public func subset(_ indices: [Int], weights newWeights: [Float]) -> JetSet {
        precondition(newWeights.count == indices.count, "JetSet.subset: \(indices.count) jets, \(newWeights.count) weights")
        return JetSet(
            inputs: inputs.jets(at: indices), labels: indices.map { labels[$0] }, weights: newWeights,
            eventNumbers: indices.map { eventNumbers[$0] }, fields: fields.mapValues { column in indices.map { column[$0] } })
    }
}
