/// The per-jet scalar whose gradient with respect to the standardised inputs a saliency map shows.
///
/// JSON: `{"kind": "logit", "logit_index": 0}` or `{"kind": "discriminant", "discriminant": {...}}` (keys of
/// ``TaggingDiscriminant``).
public enum SaliencyTarget: Equatable, Sendable {
    /// Logit `index` of the model's output (0 for a binary model's single logit).
    case logit(index: Int)
    /// The discriminant D = log((p_s + eps) / (sum_k f_k p_k + eps)) of the softmax probabilities; for a binary
    /// model with one logit z the probabilities are (1 - sigmoid(z), sigmoid(z)).
    case discriminant(TaggingDiscriminant)

    /// The single logit of a binary model.
    public static let binaryLogit = SaliencyTarget.logit(index: 0)
}

extension SaliencyTarget: Codable {
    private enum Kind: String, Codable {
        case logit, discriminant
    }

    private enum CodingKeys: String, CodingKey {
        case kind
        case logitIndex = "logit_index"
        case discriminant
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(Kind.self, forKey: .kind) {
        case .logit: self = .logit(index: try container.decode(Int.self, forKey: .logitIndex))
        case .discriminant: self = .discriminant(try container.decode(TaggingDiscriminant.self, forKey: .discriminant))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .logit(index):
            try container.encode(Kind.logit, forKey: .kind)
            try container.encode(index, forKey: .logitIndex)
        case let .discriminant(discriminant):
            try container.encode(Kind.discriminant, forKey: .kind)
            try container.encode(discriminant, forKey: .discriminant)
        }
    }
}

extension SaliencyTarget: CustomStringConvertible {
    /// "logit 0", or the discriminant's formula such as "log(p_2 / (0.3 p_0 + 0.7 p_1))" (epsilon left out).
    public var description: String {
        switch self {
        case let .logit(index):
            return "logit \(index)"
        case let .discriminant(discriminant):
            let mix = zip(discriminant.backgroundFractions, discriminant.backgroundClasses).map { fraction, c in
                fraction == 1 ? "p_\(c)" : "\(fraction) p_\(c)"
            }
            let denominator = mix.count == 1 ? mix[0] : "(\(mix.joined(separator: " + ")))"
            return "log(p_\(discriminant.signalClass) / \(denominator))"
        }
    }
}
