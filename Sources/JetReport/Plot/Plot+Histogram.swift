import JetMetrics

extension Plot {
    /// Step histograms with error bars sqrt(sum w^2), optionally normalised to unit area, with an optional
    /// ratio panel (each histogram divided by the first, with errors).
    ///
    /// - Parameters:
    ///   - histograms: (name, histogram) pairs with the same bin edges when `ratioToFirst` is set.
    ///   - normalized: divide each histogram by its in-range weight sum.
    ///   - logarithmic: log-scaled y axis (empty and negative bins are then left out).
    /// - Throws: ``JetMetricsError`` when normalising a histogram with a non-positive sum, or when binnings differ.
    public static func histograms(
        _ histograms: [(name: String, histogram: Histogram)], title: String, xLabel: String,
        normalized: Bool = true, logarithmic: Bool = false, ratioToFirst: Bool = false
    ) throws(JetMetricsError) -> Plot {
        var shown: [Histogram] = []
        for entry in histograms { shown.append(normalized ? try entry.histogram.normalized() : entry.histogram) }
        let series = zip(histograms, shown).enumerated().map { index, pair in
            PlotSeries.step(
                name: pair.0.name, edges: pair.1.edges, values: pair.1.sumWeights, errors: pair.1.errors,
                color: palette[index % palette.count])
        }
        var plot = Plot(
            title: title, xAxis: Axis(label: xLabel),
            yAxis: Axis(label: normalized ? "Fraction of weight" : "Sum of weights",
                        scale: logarithmic ? .logarithmic : .linear),
            series: series)
        if ratioToFirst, let reference = shown.first {
            var ratios: [PlotSeries] = []
            for (index, histogram) in shown.enumerated().dropFirst() {
                let ratio = try histogram.ratio(to: reference)
                ratios.append(.points(
                    name: histograms[index].name, x: histogram.centers, y: ratio.ratio, errors: ratio.error,
                    color: palette[index % palette.count]))
            }
            plot.ratios = [RatioPanel(yAxis: Axis(label: "Ratio"), series: ratios)]
        }
        return plot
    }
}
