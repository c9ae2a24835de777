import JetMetrics

extension Plot {
    /// What a binned working-point plot shows on its y axis.
    public enum BinnedQuantity: Sendable {
        /// 1 / eps_B of the background the ``BinnedWorkingPoint`` was computed against.
        case backgroundRejection
        case signalEfficiency
    }

    /// Rejection or signal efficiency of several taggers at one working point in bins of a jet variable (puma's
    /// "variable vs efficiency" plot): a step per tagger with binomial error bars and, when `reference` is given,
    /// a panel of each tagger's value divided by the reference's (each with its own relative error).
    ///
    /// - Parameters:
    ///   - taggers: (name, binned working point) pairs with the same edges.
    ///   - xLabel: the variable with its unit, e.g. "Jet pT [GeV]".
    ///   - yLabel: e.g. "QCD jet rejection".
    public static func binned(
        _ taggers: [(name: String, binned: BinnedWorkingPoint)], quantity: BinnedQuantity, reference: Int?,
        title: String, xLabel: String, yLabel: String
    ) -> Plot {
        func values(_ binned: BinnedWorkingPoint) -> (value: [Double], error: [Double]) {
            switch quantity {
            case .backgroundRejection: (binned.bins.map(\.backgroundRejection), binned.bins.map(\.backgroundRejectionError))
            case .signalEfficiency: (binned.bins.map(\.signalEfficiency), binned.bins.map(\.signalEfficiencyError))
            }
        }
        let shown = taggers.map { values($0.binned) }
        var plot = Plot(
            title: title, xAxis: Axis(label: xLabel), yAxis: Axis(label: yLabel),
            series: taggers.indices.map { t in
                .step(name: taggers[t].name, edges: taggers[t].binned.edges, values: shown[t].value,
                      errors: shown[t].error.map { $0.isFinite ? $0 : 0 }, color: palette[t % palette.count])
            })
        guard let reference else { return plot }
        let centers = zip(taggers[reference].binned.edges, taggers[reference].binned.edges.dropFirst()).map { ($0 + $1) / 2 }
        plot.ratios = [RatioPanel(
            yAxis: Axis(label: "Ratio to \(taggers[reference].name)"),
            series: taggers.indices.map { t in
                let ratio = zip(shown[t].value, shown[reference].value).map { $0 / $1 }
                let error = zip(ratio, zip(shown[t].value, shown[t].error)).map { r, pair in
                    let relative = r * pair.1 / pair.0
                    return relative.isFinite ? relative : 0
                }
                return .points(name: taggers[t].name, x: centers, y: ratio, errors: error, color: palette[t % palette.count])
            })]
        return plot
    }

    /// puma's fraction scan: the rejection of one background against that of the other at a fixed signal
    /// efficiency as the fraction f of the first in the discriminant goes from 0 to 1, one line per tagger, with
    /// a marker at each tagger's chosen fraction.
    ///
    /// - Parameters:
    ///   - scans: (name, scan, chosen fraction or nil) triples.
    ///   - firstName, secondName: the scanned backgrounds (x: first's rejection, y: second's).
    public static func fractionScan(
        _ scans: [(name: String, scan: FractionScan, chosen: Double?)], firstName: String, secondName: String,
        title: String
    ) -> Plot {
        var series: [PlotSeries] = []
        for (t, entry) in scans.enumerated() {
            let color = palette[t % palette.count]
            let points = entry.scan.points
            series.append(.line(
                name: entry.name, x: points.map(\.first.backgroundRejection), y: points.map(\.second.backgroundRejection),
                color: color))
            if let chosen = entry.chosen, let nearest = points.min(by: { abs($0.fraction - chosen) < abs($1.fraction - chosen) }) {
                series.append(.points(
                    name: "\(entry.name), f = \(nearest.fraction)", x: [nearest.first.backgroundRejection],
                    y: [nearest.second.backgroundRejection], errors: [nearest.second.backgroundRejectionError], color: color))
            }
        }
        return Plot(
            title: title, xAxis: Axis(label: "\(firstName) jet rejection"),
            yAxis: Axis(label: "\(secondName) jet rejection"), series: series)
    }
}
