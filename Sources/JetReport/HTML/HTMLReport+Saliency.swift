import JetMetrics

extension HTMLReport.Section {
    /// The saliency part of a run's report: what was differentiated, the signed and absolute mean maps of every
    /// selection for gradient saliency and (when computed) integrated gradients, and the completeness check.
    public init(saliency report: SaliencyReport, title: String = "Saliency") {
        let target = report.target.description
        var blocks: [HTMLReport.Block] = [
            .paragraph(
                "Gradient of \(target) with respect to the standardised inputs, per constituent rank (pt order) "
                    + "and feature, over \(report.jetCount) jets. Means at a rank are over the selected jets that "
                    + "have a constituent there."),
        ]
        blocks += Self.heatmaps(report.gradient, method: "Gradient saliency", valueName: "d \(target) / dx")
        if let integrated = report.integratedGradients {
            let settings = integrated.options
            let baseline = settings.baseline.map { "features set to \($0)" } ?? "all standardised features 0"
            blocks.append(.paragraph(
                "Integrated gradients: \(settings.steps) steps (\(settings.rule.rawValue) rule), baseline: the same "
                    + "constituents with \(baseline). Completeness compares the sum of each jet's attributions "
                    + "with output(x) - output(baseline); large errors mean too few steps."))
            blocks.append(.table(HTMLReport.Table(completeness: integrated.completeness)))
            blocks += Self.heatmaps(integrated.maps, method: "Integrated gradients", valueName: "attribution")
        }
        self.init(title: title, blocks: blocks)
    }

    /// Signed and absolute heatmaps of every selection's average.
    private static func heatmaps(_ maps: SaliencyMaps, method: String, valueName: String) -> [HTMLReport.Block] {
        maps.averages.flatMap { average in
            [false, true].map { absolute in
                HTMLReport.Block.heatmap(
                    Heatmap.saliency(average, absolute: absolute, method: method, valueName: valueName),
                    caption: "\(method), \(absolute ? "mean absolute" : "mean signed") values: "
                        + "\(average.selection.name), \(average.jetCount) jets")
            }
        }
    }
}

extension HTMLReport.Table {
    /// The completeness check's summary: maximum and mean absolute and relative errors (4 significant digits).
    public init(completeness: CompletenessCheck) {
        self.init(
            header: ["Completeness error", "Maximum", "Mean"],
            rows: [
                ["|sum of attributions - output difference|", Self.format(completeness.maxAbsoluteError),
                 Self.format(completeness.meanAbsoluteError)],
                ["relative to |output difference|", Self.format(completeness.maxRelativeError),
                 Self.format(completeness.meanRelativeError)],
            ])
    }
}
