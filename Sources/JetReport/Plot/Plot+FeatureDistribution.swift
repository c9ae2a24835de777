import JetMetrics

extension Plot {
    /// One network input per class after preprocessing (log, relative to the jet axis, standardised, clipped):
    /// normalised step histograms of the real constituents (or jets, for a jet variable) of each class.
    ///
    /// - Parameters:
    ///   - feature: the variable's name, e.g. "deltaR"; the x axis reads "deltaR (standardised)".
    ///   - histograms: (class name, histogram) pairs.
    /// - Throws: ``JetMetricsError`` when a class has a non-positive weight sum.
    public static func featureDistribution(
        _ feature: String, histograms: [(className: String, histogram: Histogram)], logarithmic: Bool = false
    ) throws(JetMetricsError) -> Plot {
        try Plot.histograms(
            histograms.map { ("\($0.className) jets", $0.histogram) }, title: "Input \(feature)",
            xLabel: "\(feature) (standardised)", normalized: true, logarithmic: logarithmic)
    }
}
