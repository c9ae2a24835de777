/// The fields of a `jettag reweight apply` output, beside `jet_index` and `event_number` (``JetOutputWriter``):
/// `weight` (the new weight: old weight x f/(1-f) x normalisation) and `classifier_output` (f), with
/// `--variations` then `weight_var0`, `weight_var1`, ... (one weight per ensemble member or bootstrap replica),
/// and the file attributes naming the model, the inputs, the rows held and the variations.
public struct WeightSchema: Sendable, Equatable {
    /// The new event weight.
    public static let weight = "weight"
    /// The classifier's target probability f.
    public static let classifierOutput = "classifier_output"
    /// The field of weight variation `index`.
    public static func variationField(_ index: Int) -> String { "weight_var\(index)" }

    /// The number of weight variations written (0 without `--variations`).
    public var variations: Int
    /// `ensemble` or `bootstrap` (``JetModels/WeightVariations/Kind``); nil without variations.
    public var variationKind: String?

    public init(variations: Int = 0, variationKind: String? = nil) {
        self.variations = variations
        self.variationKind = variationKind
    }

    /// Every field, in file order.
    public var fields: [String] { [Self.weight, Self.classifierOutput] + (0..<variations).map(Self.variationField) }

    /// The columns of one batch, by field name.
    public func values(weights: [Float], classifierOutputs: [Float], variations: [[Float]] = []) -> [String: [Float]] {
        precondition(variations.count == self.variations, "WeightSchema: \(variations.count) variations, \(self.variations) fields")
        var values = [Self.weight: weights, Self.classifierOutput: classifierOutputs]
        for (index, column) in variations.enumerated() { values[Self.variationField(index)] = column }
        return values
    }

    /// The value of the `kind` attribute of weight files.
    public static let kind = "weights"

    /// The output file's attributes: `kind` (`weights`), `model` (its path), `inputs` (comma-separated), the
    /// rows held (``OutputRows``: `shard` `i/N`, `rows`, `input_rows`) and, with variations, `variations` (their
    /// number) and `variation_kind` (`ensemble` or `bootstrap`).
    public func attributes(model: String, inputs: [String], rows: OutputRows) -> [String: String] {
        var attributes = ["kind": Self.kind, "model": model, "inputs": inputs.joined(separator: ",")]
        if variations > 0 {
            attributes["variations"] = "\(variations)"
            attributes["variation_kind"] = variationKind
        }
        return attributes.merging(rows.attributes) { a, _ in a }
    }
}
