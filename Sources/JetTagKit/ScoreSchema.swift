import JetModels

/// The fields of a `jettag predict` output, beside `jet_index` and `event_number` (``JetOutputWriter``):
/// `<tagger>_p<class>` per class, in class order, then for a seed ensemble or Monte-Carlo dropout
/// `<tagger>_p<class>_std` (the standard deviation over the members, the passes, or every pass of every member;
/// `<tagger>_p<class>` is then the mean), and the file attributes naming the model, tagger, classes, inputs and
/// what the spread is over.
public struct ScoreSchema: Equatable, Sendable {
    public var tagger: String
    public var classNames: [String]
    /// Whether the spread fields are written (a seed ensemble or Monte-Carlo dropout).
    public var hasSpread: Bool
    /// What the spread is over (``JetModels/JetScorer/spreadSource``), written as the `spread` attribute.
    public var spreadSource: String?
    /// The Monte-Carlo dropout the scores were made with, written as `mc_dropout_passes` and `mc_dropout_seed`.
    public var monteCarloDropout: MonteCarloDropout?

    public init(
        tagger: String, classNames: [String], hasSpread: Bool, spreadSource: String? = nil,
        monteCarloDropout: MonteCarloDropout? = nil
    ) {
        self.tagger = tagger
        self.classNames = classNames
        self.hasSpread = hasSpread
        self.spreadSource = spreadSource
        self.monteCarloDropout = monteCarloDropout
    }

    /// The schema of a model file's scores without Monte-Carlo dropout.
    public init(model: ModelFile) {
        self.init(
            tagger: model.tagger, classNames: model.classNames, hasSpread: model.combination.hasSpread,
            spreadSource: model.combination.hasSpread ? "ensemble" : nil)
    }

    /// The schema of a scorer's scores.
    public init(scorer: JetScorer) {
        self.init(
            tagger: scorer.file.tagger, classNames: scorer.file.classNames, hasSpread: scorer.hasSpread,
            spreadSource: scorer.spreadSource, monteCarloDropout: scorer.monteCarloDropout)
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
    /// (comma-separated), the rows held (``OutputRows``), and with spread fields `spread` (what they are over)
    /// and for Monte-Carlo dropout `mc_dropout_passes` and `mc_dropout_seed`.
    public func attributes(model: String, inputs: [String], rows: OutputRows) -> [String: String] {
        var attributes = [
            "kind": Self.kind, "model": model, "tagger": tagger, "class_names": classNames.joined(separator: ","),
            "inputs": inputs.joined(separator: ","),
        ].merging(rows.attributes) { a, _ in a }
        if let spreadSource { attributes["spread"] = spreadSource }
        if let monteCarloDropout {
            attributes["mc_dropout_passes"] = "\(monteCarloDropout.passes)"
            attributes["mc_dropout_seed"] = "\(monteCarloDropout.seed)"
        }
        return attributes
    }
}
