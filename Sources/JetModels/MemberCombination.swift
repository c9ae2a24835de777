/// How the member models of a file combine into one score per jet.
///
/// JSON: `{"kind": "single"}`, `{"kind": "kfold", "k": 5}` or `{"kind": "ensemble", "count": 3}`.
public enum MemberCombination: Codable, Sendable, Equatable {
    /// One model.
    case single
    /// k-fold training: member i was trained without the jets with event_number % k == i and scores them.
    case kfold(k: Int)
    /// Models trained with different seeds: scores are the members' mean, with their spread reported.
    case ensemble(count: Int)

    public var memberCount: Int {
        switch self {
        case .single: 1
        case .kfold(let k): k
        case .ensemble(let count): count
        }
    }

    /// Whether scores come with a spread (seed ensembles).
    public var hasSpread: Bool {
        if case .ensemble = self { true } else { false }
    }

    private enum Kind: String, Codable { case single, kfold, ensemble }
    private enum CodingKeys: String, CodingKey { case kind, k, count }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(Kind.self, forKey: .kind) {
        case .single: self = .single
        case .kfold: self = .kfold(k: try c.decode(Int.self, forKey: .k))
        case .ensemble: self = .ensemble(count: try c.decode(Int.self, forKey: .count))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .single: try c.encode(Kind.single, forKey: .kind)
        case .kfold(let k):
            try c.encode(Kind.kfold, forKey: .kind)
            try c.encode(k, forKey: .k)
        case .ensemble(let count):
            try c.encode(Kind.ensemble, forKey: .kind)
            try c.encode(count, forKey: .count)
        }
    }
}
