/// A (constituent rank x feature) map [P, F]: row p belongs to each jet's p-th constituent in pt order, column f
/// to input feature f (standardised units).
///
/// JSON keys: `feature_names` (F names), `values` (P arrays of F numbers).
public struct SaliencyMap: Equatable, Sendable {
    /// Names of the F per-constituent input features, in input order.
    public var featureNames: [String]
    /// Row-major [P, F].
    public var values: [Double]

    /// - Parameter values: row-major [P, F], a multiple of `featureNames.count` values.
    public init(featureNames: [String], values: [Double]) {
        precondition(
            !featureNames.isEmpty && values.count % featureNames.count == 0,
            "SaliencyMap: \(values.count) values do not fill rows of \(featureNames.count) features")
        self.featureNames = featureNames
        self.values = values
    }

    /// Number of constituent ranks P.
    public var rankCount: Int { values.count / featureNames.count }

    /// Number of features F.
    public var featureCount: Int { featureNames.count }

    /// The value for the constituent at `rank` and feature `feature`.
    public subscript(rank: Int, feature: Int) -> Double {
        values[rank * featureNames.count + feature]
    }

    /// The element-wise absolute values.
    public var absolute: SaliencyMap {
        SaliencyMap(featureNames: featureNames, values: values.map { Swift.abs($0) })
    }
}

extension SaliencyMap: Codable {
    private enum CodingKeys: String, CodingKey {
        case featureNames = "feature_names"
        case values
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let names = try container.decode([String].self, forKey: .featureNames)
        let rows = try container.decode([[Double]].self, forKey: .values)
        guard !names.isEmpty, rows.allSatisfy({ $0.count == names.count }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .values, in: container,
                debugDescription: "every rank needs one value per feature (\(names.count) features)")
        }
        self.init(featureNames: names, values: rows.flatMap { $0 })
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(featureNames, forKey: .featureNames)
        let width = featureNames.count
        try container.encode((0..<rankCount).map { Array(values[($0 * width)..<(($0 + 1) * width)]) }, forKey: .values)
    }
}
