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
            [curves.map { RejectionCurve($0.curve, name: $0.name, maxPoints: maxPoints) }], backgrounds: [nil],
            reference: ratioToFirst ? 0 : nil, title: title, signalEfficiencyRange: signalEfficiencyRange,
            ratioRange: ratioRange, errorBands: false)
    }

    /// The ROC plot of curves as `jettag evaluate` stores them (``ROCSummary``, e.g. read back from
    /// metrics.json); the ratio panel interpolates each stored curve linearly in signal efficiency.
    public static func roc(
        summaries: [(name: String, roc: ROCSummary)], title: String = "ROC curve",
        signalEfficiencyRange: ClosedRange<Double> = 0.2...1, ratioToFirst: Bool = false,
        ratioRange: ClosedRange<Double> = 0.3...1
    ) -> Plot {
        roc(
            [summaries.map { entry in
                let points = entry.roc.curve
                let effectiveCount = entry.roc.background.effectiveSampleSize
                return RejectionCurve(
                    name: entry.name, signalEfficiency: points.signalEfficiency,
                    backgroundEfficiency: points.backgroundEfficiency, backgroundEffectiveCount: effectiveCount,
                    rejection: { target in
                        let rejection = interpolatedRejection(points, at: target)
                        let error = BinomialUncertainty.efficiencyError(1 / rejection, effectiveCount: effectiveCount)
                        return (rejection, BinomialUncertainty.rejectionError(efficiency: 1 / rejection, efficiencyError: error))
                    })
            }],
            backgrounds: [nil], reference: ratioToFirst ? 0 : nil, title: title,
            signalEfficiencyRange: signalEfficiencyRange, ratioRange: ratioRange, errorBands: false)
    }

    /// puma's ROC comparison: several taggers on the same jets, each against one or more backgrounds (solid
    /// lines for the first background, dashed for the others), with binomial error bands from the
    /// backgrounds' effective counts (``BinomialUncertainty``) and, when `reference` is given, one ratio panel
    /// per background showing each tagger's rejection divided by the reference's.
    ///
    /// A ratio's band is the tagger's own relative error (r sigma_R / R): the taggers see the same jets, so
    /// their statistical fluctuations are correlated and adding the reference's error would overstate it; the
    /// reference's band around 1 shows its own.
    ///
    /// - Parameters:
    ///   - taggers: (name, curves) pairs, the curves in the order of `backgrounds`, one per background.
    ///   - backgrounds: the background names, shown in the legend and the ratio panels' labels.
    ///   - reference: index in `taggers` of the reference of the ratio panels; nil for no ratio panel.
    public static func roc(
        taggers: [(name: String, curves: [ROCCurve])], backgrounds: [String], reference: Int?,
        title: String = "ROC curve", signalEfficiencyRange: ClosedRange<Double> = 0.2...1,
        ratioRange: ClosedRange<Double> = 0.3...1, errorBands: Bool = true, maxPoints: Int = 1000
    ) -> Plot {
        precondition(taggers.allSatisfy { $0.curves.count == backgrounds.count }, "one curve per background and tagger")
        return roc(
            backgrounds.indices.map { b in
                taggers.map { RejectionCurve($0.curves[b], name: $0.name, maxPoints: maxPoints) }
            },
            backgrounds: backgrounds.count > 1 ? backgrounds : [backgrounds.first.map { "\($0) jets" }],
            reference: reference, title: title, signalEfficiencyRange: signalEfficiencyRange, ratioRange: ratioRange,
            errorBands: errorBands)
    }

    /// One curve's points and its rejection with error as a function of signal efficiency (for the ratio panel).
    fileprivate struct RejectionCurve {
        var name: String
        var signalEfficiency: [Double]
        var backgroundEfficiency: [Double]
        var backgroundEffectiveCount: Double
        var rejection: (Double) -> (value: Double, error: Double)
    }

    /// `groups[b][t]`: tagger t's curve against background b; `backgrounds[b]` names it (nil: not named).
    private static func roc(
        _ groups: [[RejectionCurve]], backgrounds: [String?], reference: Int?, title: String,
        signalEfficiencyRange: ClosedRange<Double>, ratioRange: ClosedRange<Double>, errorBands: Bool
    ) -> Plot {
        var series: [PlotSeries] = []
        var bands: [PlotSeries] = []
        for (b, curves) in groups.enumerated() {
            for (index, curve) in curves.enumerated() {
                let kept = curve.signalEfficiency.indices.filter {
                    curve.signalEfficiency[$0] > 0 && curve.backgroundEfficiency[$0] > 0
                }
                let name = groups.count > 1 ? "\(curve.name), \(backgrounds[b] ?? "")" : curve.name
                let color = palette[index % palette.count]
                let efficiencies = kept.map { curve.backgroundEfficiency[$0] }
                let x = kept.map { curve.signalEfficiency[$0] }
                series.append(.line(name: name, x: x, y: efficiencies.map { 1 / $0 }, color: color, dashed: b > 0))
                if errorBands {
                    bands.append(.band(
                        name: name, x: x, y: efficiencies.map { 1 / $0 },
                        errors: efficiencies.map { epsB in
                            BinomialUncertainty.rejectionError(
                                efficiency: epsB,
                                efficiencyError: BinomialUncertainty.efficiencyError(
                                    epsB, effectiveCount: curve.backgroundEffectiveCount))
                        }, color: color))
                }
            }
        }
        let label = "Background rejection 1/εB" + (groups.count == 1 ? backgrounds[0].map { " (\($0))" } ?? "" : "")
        var plot = Plot(
            title: title, xAxis: Axis(label: "Signal efficiency", range: signalEfficiencyRange),
            yAxis: Axis(label: label, scale: .logarithmic), series: bands + series,
            height: 480 + 120 * Double(max(groups.count - 1, 0)))
        guard let reference else { return plot }
        let grid = (0...100).map { ratioRange.lowerBound + Double($0) / 100 * (ratioRange.upperBound - ratioRange.lowerBound) }
        for (b, curves) in groups.enumerated() {
            let referenceRejection = grid.map { curves[reference].rejection($0).value }
            var ratioBands: [PlotSeries] = []
            var ratioLines: [PlotSeries] = []
            for (index, curve) in curves.enumerated() {
                let color = palette[index % palette.count]
                let rejections = grid.map(curve.rejection)
                let ratios = zip(rejections, referenceRejection).map { $0.value / $1 }
                ratioLines.append(.line(name: curve.name, x: grid, y: ratios, color: color))
                if errorBands {
                    ratioBands.append(.band(
                        name: curve.name, x: grid, y: ratios,
                        errors: zip(ratios, rejections).map { $0 * $1.error / $1.value }, color: color))
                }
            }
            let panelLabel = "Ratio to \(curves[reference].name)" + (groups.count > 1 ? backgrounds[b].map { " (\($0))" } ?? "" : "")
            plot.ratios.append(RatioPanel(yAxis: Axis(label: panelLabel), series: ratioBands + ratioLines))
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

extension Plot.RejectionCurve {
    /// A full curve, down-sampled for drawing; the ratio panel's rejections come from its working points.
    fileprivate init(_ curve: ROCCurve, name: String, maxPoints: Int) {
        let small = curve.downsampled(maxPoints: maxPoints)
        self.init(
            name: name, signalEfficiency: small.signalEfficiency, backgroundEfficiency: small.backgroundEfficiency,
            backgroundEffectiveCount: curve.background.effectiveSampleSize,
            rejection: { target in
                guard let point = try? curve.workingPoint(signalEfficiency: target) else { return (.nan, .nan) }
                return (point.backgroundRejection, point.backgroundRejectionError)
            })
    }
}
