import JetMetrics

extension Plot {
    /// Reweighting closure for one observable: normalised shapes of the source (old weights, dashed), the
    /// reweighted source and the target (black), and a ratio panel of source / target and reweighted / target
    /// with errors. Closure means the reweighted ratio sits at 1. With weight variations, a band of their spread
    /// around the reweighted shape and its ratio.
    ///
    /// - Parameters:
    ///   - closure: the histograms and ratios (``ObservableClosure``, as in closure.json).
    ///   - xLabel: axis label with unit, e.g. "Jet mass [GeV]"; default from the observable's name.
    /// - Throws: ``JetMetricsError`` when a histogram has a non-positive weight sum.
    public static func closure(
        _ closure: ObservableClosure, xLabel: String? = nil, sourceName: String = "source",
        targetName: String = "target"
    ) throws(JetMetricsError) -> Plot {
        let (source, reweighted, target) = (try closure.source.normalized(), try closure.reweighted.normalized(), try closure.target.normalized())
        let colors = (source: "#1f77b4", reweighted: "#d62728", target: "black")
        let centers = target.centers
        return Plot(
            title: "Closure: \(closure.name)", xAxis: Axis(label: xLabel ?? observableLabel(closure.name)),
            yAxis: Axis(label: "Fraction of weight"),
            series: spreadBand(closure.variationSpread, around: reweighted.sumWeights, x: centers, color: colors.reweighted) + [
                .step(name: targetName, edges: target.edges, values: target.sumWeights, errors: target.errors, color: colors.target),
                .step(name: sourceName, edges: source.edges, values: source.sumWeights, errors: source.errors,
                      color: colors.source, dashed: true),
                .step(name: "\(sourceName) reweighted", edges: reweighted.edges, values: reweighted.sumWeights,
                      errors: reweighted.errors, color: colors.reweighted),
            ],
            ratios: [RatioPanel(
                yAxis: Axis(label: "Ratio to \(targetName)"),
                series: spreadBand(
                    closure.reweightedOverTargetSpread, around: closure.reweightedOverTarget.ratio, x: centers, color: colors.reweighted) + [
                    .points(name: sourceName, x: centers, y: closure.sourceOverTarget.ratio,
                            errors: closure.sourceOverTarget.error, color: colors.source),
                    .points(name: "\(sourceName) reweighted", x: centers, y: closure.reweightedOverTarget.ratio,
                            errors: closure.reweightedOverTarget.error, color: colors.reweighted),
                ])])
    }

    /// The band of the variation spread around `values` at the bin centres `x`; none without variations.
    private static func spreadBand(_ spread: [Double]?, around values: [Double], x: [Double], color: String) -> [PlotSeries] {
        guard let spread else { return [] }
        return [.band(name: "variation spread", x: x, y: values, errors: spread, color: color)]
    }

    /// Axis label with unit for the reweighting observables (mass, pt, multiplicity, width, ptd); the name
    /// itself for others.
    public static func observableLabel(_ name: String) -> String {
        switch name {
        case "mass": return "Jet mass [GeV]"
        case "pt": return "Jet pT [GeV]"
        case "multiplicity": return "Constituent multiplicity"
        case "width": return "Jet width (pT-weighted ΔR)"
        case "ptd": return "pT_D"
        default: return name
        }
    }
}
