import Foundation
import JetMetrics

/// A colour-coded grid of values with labelled rows and columns and a colour bar, such as a saliency map
/// (features x constituent ranks).
///
/// A value: build it, then render it with ``svg`` or write it with ``write(to:)``. Cells whose value is NaN
/// ("no data") are drawn grey and left out of the colour range.
public struct Heatmap: Sendable {
    public var title: String
    /// Labels of the rows, top to bottom (all are drawn).
    public var rowLabels: [String]
    /// Labels of the columns, left to right (thinned out when the columns are narrow).
    public var columnLabels: [String]
    public var rowAxisLabel: String
    public var columnAxisLabel: String
    /// Row-major [rows, columns].
    public var values: [Double]
    public var colorScale: ColorScale
    /// Label of the colour bar (what the values are).
    public var valueLabel: String
    /// The coloured range; `nil` fits it to the values (symmetric around 0 for a diverging scale).
    public var range: ClosedRange<Double>?

    public init(
        title: String, rowLabels: [String], columnLabels: [String], rowAxisLabel: String, columnAxisLabel: String,
        values: [Double], colorScale: ColorScale, valueLabel: String, range: ClosedRange<Double>? = nil
    ) {
        precondition(
            values.count == rowLabels.count * columnLabels.count,
            "Heatmap: \(values.count) values for \(rowLabels.count) rows x \(columnLabels.count) columns")
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.rowAxisLabel = rowAxisLabel
        self.columnAxisLabel = columnAxisLabel
        self.values = values
        self.colorScale = colorScale
        self.valueLabel = valueLabel
        self.range = range
    }

    /// The value at (row, column).
    public subscript(row: Int, column: Int) -> Double { values[row * columnLabels.count + column] }

    /// The SVG document text.
    public var svg: String { render().xml }

    /// The `<svg>` element without the XML declaration, for embedding in an HTML page.
    public var svgElement: String { render().element }

    /// Writes the SVG to `url` atomically (temporary file, then rename).
    public func write(to url: URL) throws(JetMetricsError) {
        try AtomicFile.write(svg, to: url)
    }
}
