import JetMetrics

extension HTMLReport.Section {
    /// A tagger's performance on labelled jets: AUC table, ROC (with a ratio panel when several curves are
    /// given, against the first), the working-point table of each curve and the score distributions per class.
    ///
    /// - Parameters:
    ///   - curves: (name, ROC summary) pairs; the first is the reference of the ratio panel.
    ///   - scoreHistograms: per class, the histogram of the signal score of the first curve's tagger.
    ///   - scoreLabel: the score's axis label, e.g. "p(top)".
    public init(
        performance title: String, description: String, curves: [(name: String, roc: ROCSummary)],
        scoreHistograms: [(className: String, histogram: Histogram)], scoreLabel: String
    ) {
        var blocks: [HTMLReport.Block] = [.paragraph(description)]
        blocks.append(.table(HTMLReport.Table(
            header: ["Tagger", "AUC", "Signal jets (sum of weights)", "Background jets (sum of weights)"],
            rows: curves.map { entry in
                let auc = entry.roc.aucError.map { String(format: "%.4f ± %.4f", entry.roc.auc, $0) }
                    ?? String(format: "%.4f", entry.roc.auc)
                return [entry.name, auc,
                        "\(entry.roc.signal.count) (\(HTMLReport.Table.format(entry.roc.signal.sumWeights)))",
                        "\(entry.roc.background.count) (\(HTMLReport.Table.format(entry.roc.background.sumWeights)))"]
            })))
        blocks.append(.figure(
            Plot.roc(summaries: curves, ratioToFirst: curves.count > 1),
            caption: "Background rejection 1/εB against signal efficiency εS"
                + (curves.count > 1 ? "; lower panel: rejection relative to \(curves[0].name)." : ".")))
        for entry in curves {
            blocks.append(.paragraph("Working points of \(entry.name) (rejection errors from effective counts):"))
            blocks.append(.table(HTMLReport.Table(workingPoints: entry.roc.workingPoints)))
        }
        if !scoreHistograms.isEmpty, let plot = try? Plot.scoreDistributions(scoreHistograms, scoreLabel: scoreLabel) {
            blocks.append(.figure(plot, caption: "Score distributions per true class, each normalised to unit area."))
        }
        let warnings = curves.flatMap(\.roc.warnings)
        if !warnings.isEmpty { blocks.append(.table(HTMLReport.Table(warnings: warnings))) }
        self.init(title: title, blocks: blocks)
    }
}
