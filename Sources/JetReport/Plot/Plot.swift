import Foundation
import JetMetrics

/// A 2-D plot: axes, data series, a legend, and optionally ratio panels below sharing the x axis.
///
/// A value: build it, then render it with ``svg`` or write it with ``write(to:)``. Sizes are SVG pixels.
public struct Plot: Sendable {
    /// A panel under the main one, with its own y axis, for ratios to a reference.
    public struct RatioPanel: Sendable {
        public var yAxis: Axis
        public var series: [PlotSeries]
        /// A horizontal reference line (usually at 1), or `nil`.
        public var referenceLine: Double?

        public init(yAxis: Axis, series: [PlotSeries], referenceLine: Double? = 1) {
            self.yAxis = yAxis
            self.series = series
            self.referenceLine = referenceLine
        }
    }

    /// Colours given in turn to series without their own (matplotlib's "tab10").
    public static let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ]

    public var title: String
    public var xAxis: Axis
    public var yAxis: Axis
    public var series: [PlotSeries]
    /// Panels under the main one, top to bottom (one or two in practice).
    public var ratios: [RatioPanel]
    public var width: Double
    public var height: Double

    public init(
        title: String, xAxis: Axis, yAxis: Axis, series: [PlotSeries] = [], ratios: [RatioPanel] = [],
        width: Double = 640, height: Double = 480
    ) {
        self.title = title
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.series = series
        self.ratios = ratios
        self.width = width
        self.height = height
    }

    /// The SVG document text.
    public var svg: String { render().xml }

    /// The `<svg>` element without the XML declaration, for embedding in an HTML page.
    public var svgElement: String { render().element }

    /// Writes the SVG to `url` atomically (temporary file, then rename).
    public func write(to url: URL) throws(JetMetricsError) {
        try AtomicFile.write(svg, to: url)
    }
}
