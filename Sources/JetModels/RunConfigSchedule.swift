import JetNN

/// The learning-rate schedule of a run.
///
/// `constant`; `step` (multiply by `gamma` every `stepEpochs` epochs); `cosine` (per optimizer step over the
/// whole run, after `warmupEpochs` of linear warm-up, down to `minimum`); `oneCycle` (PyTorch's OneCycleLR
/// over the run, `learningRate` the peak); `plateau` (multiply by `gamma` when the validation loss has not
/// improved for more than `plateauPatience` epochs, not below `minimum`).
public struct ScheduleConfig: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case constant, step, cosine, oneCycle, plateau }

    public var kind: Kind
    public var stepEpochs: Int
    public var gamma: Float
    public var warmupEpochs: Int
    public var minimum: Float
    public var plateauPatience: Int

    public init(
        kind: Kind = .constant, stepEpochs: Int = 10, gamma: Float = 0.1, warmupEpochs: Int = 0, minimum: Float = 0,
        plateauPatience: Int = 2
    ) {
        self.kind = kind
        self.stepEpochs = stepEpochs
        self.gamma = gamma
        self.warmupEpochs = warmupEpochs
        self.minimum = minimum
        self.plateauPatience = plateauPatience
    }

    private enum CodingKeys: String, CodingKey {
        case kind, stepEpochs, gamma, warmupEpochs, minimum, plateauPatience
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        kind = try c.decode(.kind, default: kind)
        stepEpochs = try c.decode(.stepEpochs, default: stepEpochs)
        gamma = try c.decode(.gamma, default: gamma)
        warmupEpochs = try c.decode(.warmupEpochs, default: warmupEpochs)
        minimum = try c.decode(.minimum, default: minimum)
        plateauPatience = try c.decode(.plateauPatience, default: plateauPatience)
    }

    /// The per-step JetNN schedule for a run of `epochs` epochs of `stepsPerEpoch` steps (nil for `plateau`,
    /// which follows the validation loss).
    func stepSchedule(epochs: Int, stepsPerEpoch: Int) -> LearningRateSchedule? {
        let total = max(epochs * stepsPerEpoch, 2)
        switch kind {
        case .constant: return .constant
        case .step: return .step(stepSize: max(stepEpochs * stepsPerEpoch, 1), gamma: gamma)
        case .cosine:
            return .cosine(
                totalSteps: total, minimum: minimum, warmupSteps: min(warmupEpochs * stepsPerEpoch, total - 1))
        case .oneCycle: return .oneCycle(totalSteps: max(total, 4))
        case .plateau: return nil
        }
    }
}
