import JetMetrics

extension HTMLReport.Section {
    /// Reweighting closure (``ClosureReport``, as in closure.json): chi2/ndf table, the two-sample AUCs, the
    /// weight summary, one closure plot per observable and the distribution of the weight factors.
    public init(closure report: ClosureReport, title: String = "Reweighting closure") {
        var blocks: [HTMLReport.Block] = [
            .paragraph(
                "Held-out jets of the source sample with their old and new weights against the target. chi2/ndf "
                    + "compares normalised shapes with errors from sum w^2 of both samples; after a good reweighting "
                    + "it is near 1 and the reweighted/target ratio is flat at 1."),
            .table(HTMLReport.Table(
                header: ["Observable", "chi2/ndf before", "chi2/ndf after"] + (report.variations == nil ? [] : ["after, with variation spread"]),
                rows: report.observables.map { closure in
                    [Plot.observableLabel(closure.name),
                     "\(HTMLReport.Table.format(closure.chi2Before.chi2PerNdf)) (ndf \(closure.chi2Before.ndf))",
                     "\(HTMLReport.Table.format(closure.chi2After.chi2PerNdf)) (ndf \(closure.chi2After.ndf))"]
                        + (closure.chi2AfterWithVariations.map { ["\(HTMLReport.Table.format($0.chi2PerNdf)) (ndf \($0.ndf))"] } ?? [])
                })),
        ]
        if let variations = report.variations {
            blocks.append(.paragraph(
                "Weight variations: \(variations.count) \(variations.kind == "bootstrap" ? "bootstrap replicas" : "ensemble members"), "
                    + "each reweighting the source with its own classifier. The shaded band around the reweighted source is "
                    + "their spread (standard deviation per bin), the reweighting's own statistical uncertainty; the last "
                    + "column adds it in quadrature to the statistical errors."))
        }
        if let twoSample = report.twoSample {
            blocks.append(.paragraph(
                "Two-sample test: fresh classifiers separating source from target, trained on one half of the held-out "
                    + "jets (\(twoSample.trainingJets) and \(twoSample.testJets)) and scored on the other, mean of "
                    + "\(twoSample.aucAfterRuns.count) runs: AUC \(String(format: "%.4f", twoSample.aucBefore)) before, "
                    + "\(String(format: "%.4f", twoSample.aucAfter)) after reweighting (0.5 = indistinguishable)."))
        }
        let weights = report.weights
        blocks.append(.table(HTMLReport.Table(
            header: ["Source weights", "Jets", "Sum of weights", "Effective sample size", "Fraction negative"],
            rows: [
                ["before", "\(weights.before.count)", HTMLReport.Table.format(weights.before.sumWeights),
                 HTMLReport.Table.format(weights.before.effectiveSampleSize), HTMLReport.Table.format(weights.fractionNegativeBefore)],
                ["after", "\(weights.after.count)", HTMLReport.Table.format(weights.after.sumWeights),
                 HTMLReport.Table.format(weights.after.effectiveSampleSize), HTMLReport.Table.format(weights.fractionNegativeAfter)],
            ])))
        for closure in report.observables {
            if let plot = try? Plot.closure(closure) {
                blocks.append(.figure(
                    plot,
                    caption: "\(Plot.observableLabel(closure.name)): normalised shapes and ratios to the target"
                        + (closure.variationSpread == nil ? "." : "; band: spread of the reweighted source over the weight variations.")))
            }
        }
        blocks.append(.figure(
            Plot.weightDistribution(
                [("new / old", weights.factorHistogram)], xLabel: "Weight factor new / old", title: "Reweighting factors"),
            caption: "Per-jet factor new weight / old weight (jets with old weight 0 left out)."))
        if !report.counters.isEmpty {
            blocks.append(.table(HTMLReport.Table(
                header: ["Counter", "Jets"], rows: report.counters.sorted { $0.key < $1.key }.map { [$0.key, "\($0.value)"] })))
        }
        self.init(title: title, blocks: blocks)
    }
}
