import JetMetrics

extension Plot {
    /// The standard ROC plot (DESIGN.md section 6): background rejection 1/eps_B on a log y axis against
    /// signal efficiency, one line per tagger.
    ///
    /// Points with eps_S = 0 or eps_B <= 0 (infinite or negative rejection) are left out. With
    /// `ratioToFirst`, a panel below (y label "Ratio") shows each curve's rejection divided by the first
    /// curve's, on an even grid of signal efficiencies from `ratioRange`.
    ///
    /// - Parameters:
    ///   - curves: (name, curve) pairs; each is down-sampled to at most `maxPoints` points.
    ///   - signalEfficiencyRange: x range shown.
    public static func roc(
        _ curves: [(name: String, curve: ROCCurve)], title: String = "ROC curve",
        signalEfficiencyRange: ClosedRange<Double> = 0.2...1, ratioToFirst: Bool = false,
        ratioRange: ClosedRange<Double> = 0.3...1, maxPoints: Int = 1000
    ) -> Plot {
        var series: [PlotSeries] = []
        for (index, entry) in curves.enumerated() {
            let curve = entry.curve.downsampled(maxPoints: maxPoints)
            let kept = curve.signalEfficiency.indices.filter {
                curve.signalEfficiency[$0] > 0 && curve.backgroundEfficiency[$0] > 0
            }
            series.append(.line(
                name: entry.name, x: kept.map { curve.signalEfficiency[$0] },
                y: kept.map { 1 / curve.backgroundEfficiency[$0] }, color: palette[index % palette.count]))
        }
        var plot = Plot(
            title: title, xAxis: Axis(label: "Signal efficiency", range: signalEfficiencyRange),
            yAxis: Axis(label: "Background rejection", scale: .logarithmic), series: series)
        if ratioToFirst, let reference = curves.first?.curve {
            let grid = (0...100).map { ratioRange.lowerBound + Double($0) / 100 * (ratioRange.upperBound - ratioRange.lowerBound) }
            let referenceRejection = grid.map { rejection(of: reference, at: $0) }
            plot.ratio = RatioPanel(
                yAxis: Axis(label: "Ratio"),
                series: curves.enumerated().map { index, entry in
                    .line(name: entry.name, x: grid,
                          y: zip(grid, referenceRejection).map { rejection(of: entry.curve, at: $0) / $1 },
                          color: palette[index % palette.count])
                })
        }
        return plot
    }

    /// Rejection at signal efficiency `target` in (0, 1], NaN where it is undefined.
    private static func rejection(of curve: ROCCurve, at target: Double) -> Double {
        (try? curve.workingPoint(signalEfficiency: target).backgroundRejection) ?? .nan
    }
}
