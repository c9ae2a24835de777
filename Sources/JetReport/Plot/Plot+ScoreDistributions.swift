import JetMetrics

extension Plot {
    /// The tagger's score per true class: normalised step histograms with sum-of-w^2 error bars on a log y
    /// axis, so that the tails where the working points sit stay visible.
    ///
    /// - Parameters:
    ///   - histograms: (class name, histogram of the signal score) pairs, same binning.
    ///   - scoreLabel: the x-axis label, e.g. "p(top)" or the discriminant's formula.
    /// - Throws: ``JetMetricsError`` when a class has a non-positive weight sum.
    public static func scoreDistributions(
        _ histograms: [(className: String, histogram: Histogram)], scoreLabel: String,
        title: String = "Score distributions", logarithmic: Bool = true
    ) throws(JetMetricsError) -> Plot {
        try Plot.histograms(
            histograms.map { ("\($0.className) jets", $0.histogram) }, title: title, xLabel: scoreLabel,
            normalized: true, logarithmic: logarithmic)
    }
}
