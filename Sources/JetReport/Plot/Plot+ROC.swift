import JetMetrics

extension Plot {
    /// The standard ROC plot (docs/DESIGN.md section 6): background rejection 1/eps_B on a log y axis against
    /// signal efficiency, one line per tagger.
    ///
    /// Points with eps_S = 0 or eps_B <= 0 (infinite or negative rejection) are left out. With
    /// `ratioToFirst`, a panel below (y label "Ratio to <first name>") shows each curve's rejection divided by
    /// the first curve's, on an even grid of signal efficiencies from `ratioRange`.
    ///
    /// - Parameters:
    ///   - curves: (name, curve) pairs; each is down-sampled to at most `maxPoints` points.
    ///   - signalEfficiencyRange: x range shown.
    public static func roc(
        _ curves: [(name: String, curve: ROCCurve)], title: String = "ROC curve",
        signalEfficiencyRange: ClosedRange<Double> = 0.2...1, ratioToFirst: Bool = false,
        ratioRange: ClosedRange<Double> = 0.3...1, maxPoints: Int = 1000
    ) -> Plot {
        roc(
            curves.map { entry in
                let curve = entry.curve.downsampled(maxPoints: maxPoints)
                return RejectionCurve(
                    name: entry.name, signalEfficiency: curve.signalEfficiency,
                    backgroundEfficiency: curve.backgroundEfficiency,
                    rejection: { (try? entry.curve.workingPoint(signalEfficiency: $0).backgroundRejection) ?? .nan })
            },
            title: title, signalEfficiencyRange: signalEfficiencyRange, ratioToFirst: ratioToFirst, ratioRange: ratioRange)
    }

    /// The ROC plot of curves as `jettag evaluate` stores them (``ROCSummary``, e.g. read back from
    /// metrics.json); the ratio panel interpolates each stored curve linearly in signal efficiency.
    public static func roc(
        summaries: [(name: String, roc: ROCSummary)], title: String = "ROC curve",
        signalEfficiencyRange: ClosedRange<Double> = 0.2...1, ratioToFirst: Bool = false,
        ratioRange: ClosedRange<Double> = 0.3...1
    ) -> Plot {
        roc(
            summaries.map { entry in
                let points = entry.roc.curve
                return RejectionCurve(
                    name: entry.name, signalEfficiency: points.signalEfficiency,
                    backgroundEfficiency: points.backgroundEfficiency,
                    rejection: { interpolatedRejection(points, at: $0) })
            },
            title: title, signalEfficiencyRange: signalEfficiencyRange, ratioToFirst: ratioToFirst, ratioRange: ratioRange)
    }

    /// One curve's points and its rejection as a function of signal efficiency (for the ratio panel).
    private struct RejectionCurve {
        var name: String
        var signalEfficiency: [Double]
        var backgroundEfficiency: [Double]
        var rejection: (Double) -> Double
    }

    private static func roc(
        _ curves: [RejectionCurve], title: String, signalEfficiencyRange: ClosedRange<Double>, ratioToFirst: Bool,
        ratioRange: ClosedRange<Double>
    ) -> Plot {
        var series: [PlotSeries] = []
        for (index, curve) in curves.enumerated() {
            let kept = curve.signalEfficiency.indices.filter {
                curve.signalEfficiency[$0] > 0 && curve.backgroundEfficiency[$0] > 0
            }
            series.append(.line(
                name: curve.name, x: kept.map { curve.signalEfficiency[$0] },
                y: kept.map { 1 / curve.backgroundEfficiency[$0] }, color: palette[index % palette.count]))
        }
        var plot = Plot(
            title: title, xAxis: Axis(label: "Signal efficiency", range: signalEfficiencyRange),
            yAxis: Axis(label: "Background rejection 1/εB", scale: .logarithmic), series: series)
        if ratioToFirst, let reference = curves.first {
            let grid = (0...100).map { ratioRange.lowerBound + Double($0) / 100 * (ratioRange.upperBound - ratioRange.lowerBound) }
            let referenceRejection = grid.map(reference.rejection)
            plot.ratio = RatioPanel(
                yAxis: Axis(label: "Ratio to \(reference.name)"),
                series: curves.enumerated().map { index, curve in
                    .line(name: curve.name, x: grid, y: zip(grid, referenceRejection).map { curve.rejection($0) / $1 },
                          color: palette[index % palette.count])
                })
        }
        return plot
    }

    /// 1 / eps_B at signal efficiency `target`, eps_B interpolated linearly between the stored points around it
    /// (NaN outside the curve or where eps_B is 0).
    static func interpolatedRejection(_ points: ROCSummary.Points, at target: Double) -> Double {
        let (x, y) = (points.signalEfficiency, points.backgroundEfficiency)
        let order = x.indices.sorted { x[$0] < x[$1] }
        guard let upper = order.firstIndex(where: { x[$0] >= target }) else { return .nan }
        let high = order[upper]
        if x[high] == target { return y[high] > 0 ? 1 / y[high] : .nan }
        guard upper > 0 else { return .nan }
        let low = order[upper - 1]
        let efficiency = y[low] + (y[high] - y[low]) * (target - x[low]) / (x[high] - x[low])
        return efficiency > 0 ? 1 / efficiency : .nan
    }
}
