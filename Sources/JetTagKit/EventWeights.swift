import JetModels

/// The event weight of each jet when a model is applied to labelled jets.
public enum EventWeights: Sendable, Equatable {
    /// Every jet weight 1.
    case unit
    /// The training config's `data.weightField` when it trained with event weights (`weights.eventWeights`),
    /// else 1.
    case asTrained
    /// The jet field of this name.
    case field(String)

    /// The jet field to read for a model trained with `config`; nil for unit weights.
    func field(for config: RunConfig) -> String? {
        switch self {
        case .unit: nil
        case .asTrained: config.weights.eventWeights ? config.data.weightField : nil
        case .field(let name): name
        }
    }
}
