/// Mean attention weights of a transformer per head over the first ``slots`` constituent slots (pt order, slot 0
/// the hardest), for the jets of each class: the last particle-attention block's query-slot x key-slot weights
/// and the last class block's class-token weight on each slot.
///
/// A mean is over the jets that have the slots: cell (i, j) averages the jets with more than max(i, j)
/// constituents (``ClassMaps/slotJetCounts``[max(i, j)] of them), class-token slot j the jets with more than j;
/// where no jet has them the mean is NaN. A jet's row sums to 1 over all its constituents, so a row of the mean
/// map sums to less than 1 when jets have more than ``slots`` constituents.
///
/// JSON keys: `slots`, `heads`, `particle_block`, `class_block`, `classes`, each class with `class_name`,
/// `jet_count`, `slot_jet_counts`, `particle_means` ([head][query][key]), `class_token_means` ([head][slot])
/// and `class_token_self` ([head], the token's weight on itself).
public struct AttentionMaps: Codable, Equatable, Sendable {
    /// The maps of one class's jets.
    public struct ClassMaps: Codable, Equatable, Sendable {
        public var className: String
        public var jetCount: Int
        /// [slots] jets with a constituent at each slot.
        public var slotJetCounts: [Int]
        /// [heads][slots][slots] mean weight of query slot i on key slot j; empty without a particle block.
        public var particleMeans: [[[Double]]]
        /// [heads][slots] mean class-token weight on slot j.
        public var classTokenMeans: [[Double]]
        /// [heads] mean class-token weight on the token itself (over every jet of the class).
        public var classTokenSelf: [Double]

        public init(
            className: String, jetCount: Int, slotJetCounts: [Int], particleMeans: [[[Double]]],
            classTokenMeans: [[Double]], classTokenSelf: [Double]
        ) {
            (self.className, self.jetCount, self.slotJetCounts) = (className, jetCount, slotJetCounts)
            (self.particleMeans, self.classTokenMeans, self.classTokenSelf) = (particleMeans, classTokenMeans, classTokenSelf)
        }

        enum CodingKeys: String, CodingKey {
            case className = "class_name"
            case jetCount = "jet_count"
            case slotJetCounts = "slot_jet_counts"
            case particleMeans = "particle_means"
            case classTokenMeans = "class_token_means"
            case classTokenSelf = "class_token_self"
        }
    }

    /// Constituent slots shown (the first of each jet in pt order).
    public var slots: Int
    public var heads: Int
    /// The parameter-name prefix of the particle block, e.g. "block.2"; nil for a model without one.
    public var particleBlock: String?
    /// The parameter-name prefix of the class block, e.g. "class.1".
    public var classBlock: String
    /// One entry per class, in class order.
    public var classes: [ClassMaps]

    public init(slots: Int, heads: Int, particleBlock: String?, classBlock: String, classes: [ClassMaps]) {
        (self.slots, self.heads, self.particleBlock, self.classBlock, self.classes) =
            (slots, heads, particleBlock, classBlock, classes)
    }

    enum CodingKeys: String, CodingKey {
        case slots, heads, classes
        case particleBlock = "particle_block"
        case classBlock = "class_block"
    }
}
