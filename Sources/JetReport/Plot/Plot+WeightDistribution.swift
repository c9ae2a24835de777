import JetMetrics

extension Plot {
    /// Distributions of event weights (or of reweighting factors): un-normalised step histograms (sum of
    /// weights per bin, so negative-weight bins show as such) on a log y axis of counts.
    ///
    /// - Parameters:
    ///   - histograms: (name, histogram) pairs, e.g. one per class or "before"/"after"; each is filled with
    ///     the weights as values (unit weight per jet), so bins count jets.
    ///   - xLabel: e.g. "Event weight" or "Weight factor new / old".
    public static func weightDistribution(
        _ histograms: [(name: String, histogram: Histogram)], xLabel: String = "Event weight",
        title: String = "Weight distribution"
    ) -> Plot {
        Plot(
            title: title, xAxis: Axis(label: xLabel), yAxis: Axis(label: "Jets", scale: .logarithmic),
            series: histograms.enumerated().map { index, entry in
                .step(name: entry.name, edges: entry.histogram.edges, values: entry.histogram.sumWeights,
                      errors: entry.histogram.errors, color: palette[index % palette.count])
            })
    }
}
