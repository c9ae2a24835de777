/// A batch of jets as every reader delivers it, whatever the file layout.
///
/// Sizes: B = `count` jets, P = `maxConstituents` slots per jet.
/// - Jet fields are Float32 columns of length B.
/// - Constituent fields are row-major [B, P] Float32 arrays; `mask` is [B, P] with 1 for a real
///   constituent and 0 for padding. Real constituents come first in each jet (a prefix of the P slots),
///   and `multiplicities[b]` counts them.
/// - `eventNumbers` are the input's event numbers (Int64, exact), `rows` the jet's row in its file and
///   `fileIndices` the position of that file in the stream's file list, so outputs can be aligned row by row.
public struct JetBatch: Sendable {
    public var count: Int
    public var maxConstituents: Int
    public var jetFields: [String: [Float]]
    public var constituentFields: [String: [Float]]
    public var mask: [Float]
    public var multiplicities: [Int32]
    public var eventNumbers: [Int64]
    public var rows: [Int]
    public var fileIndices: [Int]

    public init(
        count: Int, maxConstituents: Int,
        jetFields: [String: [Float]] = [:], constituentFields: [String: [Float]] = [:],
        mask: [Float] = [], multiplicities: [Int32] = [], eventNumbers: [Int64] = [],
        rows: [Int] = [], fileIndices: [Int] = []
    ) {
        self.count = count
        self.maxConstituents = maxConstituents
        self.jetFields = jetFields
        self.constituentFields = constituentFields
        self.mask = mask
        self.multiplicities = multiplicities
        self.eventNumbers = eventNumbers
        self.rows = rows
        self.fileIndices = fileIndices
    }
}
