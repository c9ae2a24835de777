/// The fields of a `jettag reweight apply` output, beside `jet_index` and `event_number` (``JetOutputWriter``):
/// `weight` (the new weight: old weight x f/(1-f) x normalisation) and `classifier_output` (f), and the file
/// attributes naming the model, the inputs and the rows held.
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

    /// The value of the `kind` attribute of weight files.
    public static let kind = "weights"

    /// The output file's attributes: `kind` (`weights`), `model` (its path), `inputs` (comma-separated) and the
    /// rows held (``OutputRows``: `shard` `i/N`, `rows`, `input_rows`).
    public static func attributes(model: String, inputs: [String], rows: OutputRows) -> [String: String] {
        ["kind": kind, "model": model, "inputs": inputs.joined(separator: ",")].merging(rows.attributes) { a, _ in a }
    }
}
