import JetFeatures

/// The `weights` section of a run config: whether event weights enter the loss, and the class weighting,
/// kinematic flattening or resampling applied on top (`WeightingSpec`, key `weighting`).
public struct WeightsConfig: Codable, Sendable, Equatable {
    /// Multiply each jet's loss by its signed event weight (`data.weightField`); false gives every jet 1.
    public var eventWeights: Bool
    /// Class balancing, flattening or resampling of the training (and validation) jets.
    public var weighting: WeightingSpec

    public init(eventWeights: Bool = true, weighting: WeightingSpec = WeightingSpec()) {
        self.eventWeights = eventWeights
        self.weighting = weighting
    }

    private enum CodingKeys: String, CodingKey { case eventWeights, weighting }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        eventWeights = try c.decode(.eventWeights, default: eventWeights)
        weighting = try c.decode(.weighting, default: weighting)
    }
}
