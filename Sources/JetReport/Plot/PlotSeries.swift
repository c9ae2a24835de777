/// One data series of a plot, with the name shown in the legend.
public struct PlotSeries: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A line through (x[i], y[i]).
        case line
        /// A step histogram: `x` holds the bin edges (one more than `y`), with optional error bars.
        case step
        /// Markers at (x[i], y[i]) with optional vertical error bars.
        case points
        /// A shaded area from y[i] - yErrors[i] to y[i] + yErrors[i] along x (an error band); not in the legend.
        case band
    }

    public var name: String
    public var kind: Kind
    public var x: [Double]
    public var y: [Double]
    /// Symmetric vertical errors, one per `y`, or `nil`.
    public var yErrors: [Double]?
    /// Colour; `nil` takes the next colour of ``Plot/palette``.
    public var color: String?
    public var dashed: Bool

    /// A line through the points (x[i], y[i]); undrawable points (NaN, inf, <= 0 on a log axis) break the line.
    public static func line(name: String, x: [Double], y: [Double], color: String? = nil, dashed: Bool = false)
        -> PlotSeries
    {
        precondition(x.count == y.count, "a line needs as many x as y values")
        return PlotSeries(name: name, kind: .line, x: x, y: y, yErrors: nil, color: color, dashed: dashed)
    }

    /// A step histogram over `edges` (values.count + 1 of them) with optional error bars at the bin centres.
    public static func step(
        name: String, edges: [Double], values: [Double], errors: [Double]? = nil, color: String? = nil,
        dashed: Bool = false
    ) -> PlotSeries {
        precondition(edges.count == values.count + 1, "a step histogram needs one more edge than values")
        precondition(errors.map { $0.count == values.count } ?? true, "one error per value")
        return PlotSeries(name: name, kind: .step, x: edges, y: values, yErrors: errors, color: color, dashed: dashed)
    }

    /// Markers with optional error bars.
    public static func points(name: String, x: [Double], y: [Double], errors: [Double]? = nil, color: String? = nil)
        -> PlotSeries
    {
        precondition(x.count == y.count, "points need as many x as y values")
        precondition(errors.map { $0.count == y.count } ?? true, "one error per value")
        return PlotSeries(name: name, kind: .points, x: x, y: y, yErrors: errors, color: color, dashed: false)
    }

    /// An error band around the line through (x[i], y[i]), `errors[i]` wide on either side.
    public static func band(name: String, x: [Double], y: [Double], errors: [Double], color: String? = nil) -> PlotSeries {
        precondition(x.count == y.count && errors.count == y.count, "a band needs as many x, y and errors")
        return PlotSeries(name: name, kind: .band, x: x, y: y, yErrors: errors, color: color, dashed: false)
    }

    /// The y values, including the ends of the error bars, of the points (bin centres for steps) whose x lies
    /// in `xRange`: what a y axis fitted to the visible data must show.
    func yExtent(within xRange: ClosedRange<Double>) -> [Double] {
        let xs = kind == .step ? y.indices.map { (x[$0] + x[$0 + 1]) / 2 } : x
        var extent: [Double] = []
        for i in y.indices where xRange.contains(xs[i]) {
            extent.append(y[i])
            // A band (often wide where statistics run out) does not widen the axis.
            if let yErrors, kind != .band { extent += [y[i] - yErrors[i], y[i] + yErrors[i]] }
        }
        return extent
    }
}
