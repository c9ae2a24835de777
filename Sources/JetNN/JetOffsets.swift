/// Where each jet's constituents sit in a packed per-constituent matrix.
///
/// Packed layout: the valid constituents of all B jets, jet after jet, as rows of an [N, C] matrix
/// (N = sum of multiplicities); jet b owns rows `offsets[b]..<offsets[b + 1]`, in its pt order. Padding never
/// exists in packed form, so per-constituent layers cost nothing for it and cannot leak it into statistics.
public struct JetOffsets: Sendable, Equatable {
    /// [B + 1] row offsets, `offsets[0] == 0`, non-decreasing.
    public private(set) var offsets: [Int]

    /// Offsets for jets with the given multiplicities (each in 0...maxConstituents).
    public init(multiplicities: [Int32], maxConstituents: Int) throws(JetNNError) {
        var offsets = [0]
        offsets.reserveCapacity(multiplicities.count + 1)
        for (jet, multiplicity) in multiplicities.enumerated() {
            guard multiplicity >= 0 && Int(multiplicity) <= maxConstituents else {
                throw .multiplicityOutOfRange(jet: jet, multiplicity: Int(multiplicity), maxConstituents: maxConstituents)
            }
            offsets.append(offsets[offsets.count - 1] + Int(multiplicity))
        }
        self.offsets = offsets
    }

    /// Offsets given directly: [B + 1] values starting at 0, non-decreasing.
    public init(offsets: [Int]) {
        precondition(
            offsets.first == 0 && zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 },
            "JetOffsets: offsets must start at 0 and never decrease")
        self.offsets = offsets
    }

    /// Offsets from a [B, P] mask of 0/1, whose valid entries must be a prefix of each jet's P slots.
    public init(mask: [Float], jetCount: Int, maxConstituents: Int) throws(JetNNError) {
        precondition(mask.count == jetCount * maxConstituents, "JetOffsets: mask has \(mask.count) values, [\(jetCount), \(maxConstituents)] needs \(jetCount * maxConstituents)")
        var multiplicities = [Int32](repeating: 0, count: jetCount)
        for jet in 0..<jetCount {
            var count = 0
            for slot in 0..<maxConstituents {
                let value = mask[jet * maxConstituents + slot]
                guard value == 0 || value == 1 else { throw .maskValue(jet: jet, slot: slot, value: value) }
                if value == 1 {
                    guard count == slot else { throw .maskNotPrefix(jet: jet, slot: slot) }
                    count += 1
                }
            }
            multiplicities[jet] = Int32(count)
        }
        try self.init(multiplicities: multiplicities, maxConstituents: maxConstituents)
    }

    /// Appends the jets of `other`, their rows following this table's rows.
    public mutating func append(contentsOf other: JetOffsets) {
        let base = constituentCount
        offsets += other.offsets.dropFirst().lazy.map { $0 + base }
    }

    /// No jets, keeping the table's storage for the jets appended next.
    public mutating func removeAll() {
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
    }

    /// Number of jets B.
    public var jetCount: Int { offsets.count - 1 }

    /// Number of packed rows N (valid constituents in the batch).
    public var constituentCount: Int { offsets[offsets.count - 1] }

    /// The packed rows of `jet`.
    public func rows(of jet: Int) -> Range<Int> { offsets[jet]..<offsets[jet + 1] }

    /// Number of valid constituents of `jet`.
    public func multiplicity(of jet: Int) -> Int { offsets[jet + 1] - offsets[jet] }

    /// The largest multiplicity in the batch.
    public var maxMultiplicity: Int { (0..<jetCount).reduce(0) { max($0, multiplicity(of: $1)) } }

    /// Consecutive ranges of whole jets covering every jet in order, each closed as soon as it holds at least
    /// `rows` constituents (the last may hold fewer).
    public func jetRanges(ofAboutRows rows: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for jet in 0..<jetCount where offsets[jet + 1] - offsets[start] >= rows || jet == jetCount - 1 {
            ranges.append(start..<(jet + 1))
            start = jet + 1
        }
        return ranges
    }
}
