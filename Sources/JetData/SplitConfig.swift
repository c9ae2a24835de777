/// How jets are divided into training and validation (and, for k-fold training, into folds).
///
/// With `modulus` set, the ATLAS convention: jets with `event_number % modulus` in `validationFolds` are
/// validation, the others training (both jets of an event stay together). Otherwise a seeded pseudo-random
/// `validationFraction` of the jets is validation.
public struct SplitConfig: Codable, Sendable, Equatable {
    public var validationFraction: Double
    public var seed: UInt64
    public var modulus: Int?
    public var validationFolds: [Int]

    public init(validationFraction: Double = 0.2, seed: UInt64 = 0, modulus: Int? = nil, validationFolds: [Int] = [0]) {
        self.validationFraction = validationFraction
        self.seed = seed
        self.modulus = modulus
        self.validationFolds = validationFolds
    }

    private enum CodingKeys: String, CodingKey { case validationFraction, seed, modulus, validationFolds }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        validationFraction = try c.decode(.validationFraction, default: validationFraction)
        seed = try c.decode(.seed, default: seed)
        modulus = try c.decodeIfPresent(Int.self, forKey: .modulus)
        validationFolds = try c.decode(.validationFolds, default: validationFolds)
    }

    /// The JetData splits (training, validation).
    public var splits: (training: JetSplit, validation: JetSplit) {
        if let modulus {
            let training = (0..<modulus).filter { !validationFolds.contains($0) }
            return (
                .eventNumber(modulus: modulus, folds: training), .eventNumber(modulus: modulus, folds: validationFolds)
            )
        }
        let cut = 1 - validationFraction
        return (.fraction(seed: seed, lower: 0, upper: cut), .fraction(seed: seed, lower: cut, upper: 1))
    }
}
