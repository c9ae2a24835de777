/// How well reweighting closes for one observable: weighted histograms of the source (old weights), the
/// reweighted source (new weights) and the target, their shape ratios to the target, and the shape chi-square
/// against the target before and after (``Histogram/chiSquare(comparedTo:)``: normalised shapes, errors from
/// sum w^2 of both).
///
/// With weight variations (one set of new weights per ensemble member or bootstrap replica), also the spread
/// of the reweighted source's normalised shape over them per bin, and the chi-square after with that spread
/// added in quadrature to the statistical errors.
///
/// JSON keys: `name`, `source`, `reweighted`, `target` (histograms), `source_over_target`,
/// `reweighted_over_target` (ratios of the normalised shapes), `chi2_before`, `chi2_after`, and with variations
/// `variation_spread` (per bin, normalised shape) and `chi2_after_with_variations`.
public struct ObservableClosure: Codable, Equatable, Sendable {
    public var name: String
    public var source: Histogram
    public var reweighted: Histogram
    public var target: Histogram
    public var sourceOverTarget: HistogramRatio
    public var reweightedOverTarget: HistogramRatio
    public var chi2Before: ChiSquareComparison
    public var chi2After: ChiSquareComparison
    /// Per bin, the sample standard deviation (divisor V - 1) over the V weight variations of the reweighted
    /// source's normalised shape; nil without variations.
    public var variationSpread: [Double]?
    /// ``chi2After`` with ``variationSpread`` squared added to each bin's variance; nil without variations.
    public var chi2AfterWithVariations: ChiSquareComparison?

    /// Fills the three histograms with the same `edges`.
    ///
    /// - Parameters:
    ///   - source: values [S] with the old weights [S] and the new weights [S].
    ///   - target: values [T] with their weights [T].
    ///   - variationWeights: the new weights [S] of each weight variation; none, or 2 or more.
    public init(
        name: String, edges: [Double], source: [Float], oldWeights: [Float], newWeights: [Float], target: [Float],
        targetWeights: [Float], variationWeights: [[Float]] = []
    ) throws(JetMetricsError) {
        self.name = name
        var histograms: [Histogram] = []
        for (values, weights) in [(source, oldWeights), (source, newWeights), (target, targetWeights)] {
            var histogram = try Histogram(edges: edges)
            try histogram.fill(values, weights: weights)
            histograms.append(histogram)
        }
        (self.source, reweighted, self.target) = (histograms[0], histograms[1], histograms[2])
        let targetShape = try self.target.normalized()
        sourceOverTarget = try self.source.normalized().ratio(to: targetShape)
        reweightedOverTarget = try reweighted.normalized().ratio(to: targetShape)
        chi2Before = try self.source.chiSquare(comparedTo: self.target)
        chi2After = try reweighted.chiSquare(comparedTo: self.target)
        guard !variationWeights.isEmpty else { return }
        guard variationWeights.count >= 2 else {
            throw .invalidArgument(name: "variationWeights", value: "1 variation", expected: "none, or 2 or more")
        }
        var shapes: [[Double]] = []
        for weights in variationWeights {
            var histogram = try Histogram(edges: edges)
            try histogram.fill(source, weights: weights)
            shapes.append(try histogram.normalized().sumWeights)
        }
        let spread = edges.indices.dropLast().map { b in
            let values = shapes.map { $0[b] }
            let mean = values.reduce(0, +) / Double(values.count)
            return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
        }
        variationSpread = spread
        chi2AfterWithVariations = try reweighted.chiSquare(comparedTo: self.target, extraVariance: spread.map { $0 * $0 })
    }

    /// The spread of ``reweightedOverTarget`` over the variations: ``variationSpread`` over the target's shape.
    public var reweightedOverTargetSpread: [Double]? {
        guard let variationSpread, let shape = try? target.normalized() else { return nil }
        return zip(variationSpread, shape.sumWeights).map { spread, target in target != 0 ? spread / target : .nan }
    }

    /// Bin edges at quantiles of `values` (equal numbers of entries per bin), strictly increasing: repeated
    /// quantiles (discrete observables) merge bins, so there may be fewer than `bins`. The outer edges are the
    /// smallest and (just above) the largest of `values` and `range`.
    ///
    /// - Parameter range: other values that must fall inside (e.g. the other samples' extremes).
    public static func quantileEdges(_ values: [Float], bins: Int, range: ClosedRange<Float>? = nil) throws(JetMetricsError) -> [Double] {
        let sorted = values.filter { !$0.isNaN }.sorted()
        guard bins >= 1, sorted.count >= 2 else {
            throw .invalidArgument(name: "quantileEdges", value: "\(sorted.count) values, \(bins) bins", expected: "2 or more values, 1 or more bins")
        }
        let low = Double(min(sorted[0], range?.lowerBound ?? sorted[0]))
        let high = Double(max(sorted[sorted.count - 1], range?.upperBound ?? sorted[sorted.count - 1]))
        var edges = [low]
        for k in 1..<bins {
            let edge = Double(sorted[k * sorted.count / bins])
            if edge > edges[edges.count - 1] && edge < high { edges.append(edge) }
        }
        edges.append(high.nextUp)
        return edges
    }

    /// One row per bin: `low_edge`, `high_edge`; per sample the normalised shape and its error
    /// (`source`, `source_error`, `reweighted`, ..., `target_error`); the ratios to the target with errors; with
    /// variations `reweighted_variation_spread` and `reweighted_over_target_variation_spread`.
    public var csvTable: CSVTable {
        var columns: [(name: String, values: [Double])] = [("low_edge", Array(source.edges.dropLast())), ("high_edge", Array(source.edges.dropFirst()))]
        for (label, histogram) in [("source", source), ("reweighted", reweighted), ("target", target)] {
            let shape = (try? histogram.normalized()) ?? histogram
            columns += [(label, shape.sumWeights), ("\(label)_error", shape.errors)]
        }
        columns += [
            ("source_over_target", sourceOverTarget.ratio), ("source_over_target_error", sourceOverTarget.error),
            ("reweighted_over_target", reweightedOverTarget.ratio), ("reweighted_over_target_error", reweightedOverTarget.error),
        ]
        if let variationSpread, let ratioSpread = reweightedOverTargetSpread {
            columns += [("reweighted_variation_spread", variationSpread), ("reweighted_over_target_variation_spread", ratioSpread)]
        }
        return CSVTable(columns: columns)
    }

    private enum CodingKeys: String, CodingKey {
        case name, source, reweighted, target
        case sourceOverTarget = "source_over_target", reweightedOverTarget = "reweighted_over_target"
        case chi2Before = "chi2_before", chi2After = "chi2_after"
        case variationSpread = "variation_spread", chi2AfterWithVariations = "chi2_after_with_variations"
    }
}
