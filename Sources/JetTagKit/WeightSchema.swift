/// The fields of a `jettag reweight apply` output, beside `jet_index` and `event_number` (``JetOutputWriter``):
/// `weight` (the new weight: old weight x f/(1-f) x normalisation) and `classifier_output` (f), and the file
/// attributes naming the model, the inputs and the shard.
public enum WeightSchema {
    /// The new event weight.
    public static let weight = "weight"
    /// The classifier's target probability f.
    public static let classifierOutput = "classifier_output"
    /// Every field, in file order.
    public static let fields = [weight, classifierOutput]

    /// The columns of one batch, by field name.
    public static func values(weights: [Float], classifierOutputs: [Float]) -> [String: [Float]] {
        [weight: weights, classifierOutput: classifierOutputs]
    }

    /// The output file's attributes: `model` (its path), `inputs` (comma-separated) and `shard` (`i/N`).
    public static func attributes(model: String, inputs: [String], shard: Shard) -> [String: String] {
        ["model": model, "inputs": inputs.joined(separator: ","), "shard": shard.description]
    }
}
