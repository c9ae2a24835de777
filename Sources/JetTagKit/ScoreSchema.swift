import JetModels

/// The fields of a `jettag predict` output, beside `jet_index` and `event_number` (``JetOutputWriter``):
/// `<tagger>_p<class>` per class, in class order, then for a seed ensemble `<tagger>_p<class>_std` (the
/// members' standard deviation), and the file attributes naming the model, tagger, classes and inputs.
public struct ScoreSchema: Equatable, Sendable {
    public var tagger: String
    public var classNames: [String]
    /// Whether the spread fields are written (a seed ensemble).
    public var hasSpread: Bool

    public init(tagger: String, classNames: [String], hasSpread: Bool) {
        self.tagger = tagger
        self.classNames = classNames
        self.hasSpread = hasSpread
    }

    /// The schema of a model file's scores.
    public init(model: ModelFile) {
        self.init(tagger: model.tagger, classNames: model.classNames, hasSpread: model.combination.hasSpread)
    }

    /// `<tagger>_p<class>`.
    public func probabilityField(_ className: String) -> String { "\(tagger)_p\(className)" }

    /// `<tagger>_p<class>_std`.
    public func spreadField(_ className: String) -> String { "\(probabilityField(className))_std" }

    /// Every score field, in file order.
    public var fields: [String] {
        classNames.map(probabilityField) + (hasSpread ? classNames.map(spreadField) : [])
    }

    /// The columns of one batch's scores, by field name.
    public func values(_ scores: JetScorer.Scores) -> [String: [Float]] {
        var values: [String: [Float]] = [:]
        for (c, name) in classNames.enumerated() {
            values[probabilityField(name)] = scores.column(c)
            if hasSpread { values[spreadField(name)] = scores.spreadColumn(c) }
        }
        return values
    }

    /// The value of the `kind` attribute of score files.
    public static let kind = "scores"

    /// The output file's attributes: `kind` (`scores`), `model` (its path), `tagger`, `class_names`, `inputs`
    /// (comma-separated) and the rows held (``OutputRows``).
    public func attributes(model: String, inputs: [String], rows: OutputRows) -> [String: String] {
        [
            "kind": Self.kind, "model": model, "tagger": tagger, "class_names": classNames.joined(separator: ","),
            "inputs": inputs.joined(separator: ","),
        ].merging(rows.attributes) { a, _ in a }
    }
}
