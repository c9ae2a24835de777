import JetData
import JetModels

/// Which jets of the input files a model is applied to: all, or the training or validation part of the split
/// in the model's own run config (`data.split`).
public enum DataPart: String, CaseIterable, Sendable {
    case all, training, validation

    /// The split of `config` this part reads; nil for all jets.
    public func split(in config: RunConfig) -> JetSplit? {
        let splits = config.data.split.splits
        switch self {
        case .all: return nil
        case .training: return splits.training
        case .validation: return splits.validation
        }
    }
}
