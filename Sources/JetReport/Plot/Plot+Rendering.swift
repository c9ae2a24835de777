import Foundation

extension Plot {
    /// A rectangle of the image in SVG pixels.
    struct Frame {
        var x: Double
        var y: Double
        var width: Double
        var height: Double
    }

    /// Margins around the panels, in pixels.
    private static let margin = (left: 72.0, right: 16.0, top: 36.0, bottom: 48.0)
    /// Fraction of the panel height kept free above the data for the legend.
    private static let legendHeadroom = 0.3

    /// Draws the plot: main panel, the ratio panels under it, axis labels, title and legend.
    func render() -> SVGDocument {
        var document = SVGDocument(width: width, height: height)
        document.rect(x: 0, y: 0, width: width, height: height, style: SVGStyle(stroke: nil, fill: "white"))
        let plotWidth = width - Self.margin.left - Self.margin.right
        let plotHeight = height - Self.margin.top - Self.margin.bottom
        let gap = 8.0
        // The main panel keeps 72% of the height above one ratio panel, 56% above two, 46% above three.
        let mainShare = ratios.isEmpty ? 1 : 1 / (1 + 0.39 * Double(ratios.count))
        let panelsHeight = plotHeight - gap * Double(ratios.count)
        let mainHeight = panelsHeight * mainShare
        let ratioHeight = ratios.isEmpty ? 0 : (panelsHeight - mainHeight) / Double(ratios.count)
        let main = Frame(x: Self.margin.left, y: Self.margin.top, width: plotWidth, height: mainHeight)
        let allSeries = series + ratios.flatMap(\.series)
        let xRange = xAxis.resolvedRange(for: allSeries.flatMap(\.x))

        draw(series, in: main, xRange: xRange, yAxis: yAxis, headroom: Self.legendHeadroom,
             xTickLabels: ratios.isEmpty, on: &document)
        var bottom = main.y + main.height
        for (index, ratio) in ratios.enumerated() {
            let frame = Frame(x: main.x, y: bottom + gap, width: plotWidth, height: ratioHeight)
            draw(ratio.series, in: frame, xRange: xRange, yAxis: ratio.yAxis, headroom: 0.1,
                 xTickLabels: index == ratios.count - 1, referenceLine: ratio.referenceLine, on: &document)
            bottom = frame.y + frame.height
        }
        document.text(xAxis.label, x: main.x + main.width, y: bottom + 36, anchor: .end, size: 13)
        document.text(title, x: main.x, y: Self.margin.top - 12, size: 14, weight: "bold")
        drawLegend(in: main, on: &document)
        return document
    }

    /// Frame, ticks, grid, y label and the clipped series of one panel.
    private func draw(
        _ panelSeries: [PlotSeries], in frame: Frame, xRange: ClosedRange<Double>, yAxis: Axis, headroom: Double,
        xTickLabels: Bool, referenceLine: Double? = nil, on document: inout SVGDocument
    ) {
        // Named by its rectangle: the plots of one HTML page share one ID space, and equal IDs then mean equal clips.
        let clipID = "clip-" + [frame.x, frame.y, frame.width, frame.height].map { String(Int($0.rounded())) }
            .joined(separator: "-")
        let yRange = yAxis.resolvedRange(for: panelSeries.flatMap { $0.yExtent(within: xRange) }, headroom: headroom)
        let map = PanelMapping(frame: frame, xAxis: xAxis, xRange: xRange, yAxis: yAxis, yRange: yRange)
        let grid = SVGStyle(stroke: "#e0e0e0", strokeWidth: 0.8)
        let tick = SVGStyle(stroke: "black", strokeWidth: 1)
        document.beginGroup([("class", "axes")])
        for t in xAxis.ticks(in: xRange) {
            guard let x = map.x(t.value) else { continue }
            let length = t.label.isEmpty ? 3.0 : 6.0
            if !t.label.isEmpty { document.line(x1: x, y1: frame.y, x2: x, y2: frame.y + frame.height, style: grid) }
            document.line(x1: x, y1: frame.y + frame.height, x2: x, y2: frame.y + frame.height - length, style: tick)
            if xTickLabels, !t.label.isEmpty {
                document.text(t.label, x: x, y: frame.y + frame.height + 16, anchor: .middle, size: 11)
            }
        }
        for t in yAxis.ticks(in: yRange) {
            guard let y = map.y(t.value) else { continue }
            let length = t.label.isEmpty ? 3.0 : 6.0
            if !t.label.isEmpty { document.line(x1: frame.x, y1: y, x2: frame.x + frame.width, y2: y, style: grid) }
            document.line(x1: frame.x, y1: y, x2: frame.x + length, y2: y, style: tick)
            if !t.label.isEmpty { document.text(t.label, x: frame.x - 6, y: y + 4, anchor: .end, size: 11) }
        }
        document.rect(x: frame.x, y: frame.y, width: frame.width, height: frame.height, style: tick)
        document.text(yAxis.label, x: frame.x - 52, y: frame.y, anchor: .end, size: 13, rotation: -90)
        document.endGroup()

        document.clipRectangle(id: clipID, x: frame.x, y: frame.y, width: frame.width, height: frame.height)
        document.beginGroup([("clip-path", "url(#\(clipID))")])
        if let referenceLine, let y = map.y(referenceLine) {
            document.line(x1: frame.x, y1: y, x2: frame.x + frame.width, y2: y,
                          style: SVGStyle(stroke: "#555555", dashArray: "4 3"))
        }
        for (index, item) in panelSeries.enumerated() {
            document.beginGroup([("class", "series"), ("data-name", item.name)])
            draw(item, color: item.color ?? Self.palette[index % Self.palette.count], map: map, on: &document)
            document.endGroup()
        }
        document.endGroup()
    }

    private func draw(_ item: PlotSeries, color: String, map: PanelMapping, on document: inout SVGDocument) {
        let style = SVGStyle(stroke: color, strokeWidth: 1.6, dashArray: item.dashed ? "6 3" : nil)
        switch item.kind {
        case .band:
            drawBand(item, color: color, map: map, on: &document)
        case .line:
            var run: [(x: Double, y: Double)] = []
            for (x, y) in zip(item.x, item.y) {
                if let px = map.x(x), let py = map.y(y) {
                    run.append((px, py))
                } else if !run.isEmpty {
                    document.polyline(run, style: style)
                    run = []
                }
            }
            if !run.isEmpty { document.polyline(run, style: style) }
        case .step:
            var data = ""
            var drawing = false
            for bin in item.y.indices {
                guard let left = map.x(item.x[bin]), let right = map.x(item.x[bin + 1]), let y = map.y(item.y[bin])
                else {
                    drawing = false
                    continue
                }
                data += drawing ? " V \(SVGDocument.format(y))" : " M \(SVGDocument.format(left)) \(SVGDocument.format(y))"
                data += " H \(SVGDocument.format(right))"
                drawing = true
            }
            if !data.isEmpty { document.path(String(data.dropFirst()), style: style) }
            let centers = item.y.indices.map { (item.x[$0] + item.x[$0 + 1]) / 2 }
            drawErrorBars(item, at: centers, color: color, map: map, on: &document)
        case .points:
            for (x, y) in zip(item.x, item.y) {
                guard let px = map.x(x), let py = map.y(y) else { continue }
                document.circle(cx: px, cy: py, radius: 2.5, style: SVGStyle(stroke: nil, fill: color))
            }
            drawErrorBars(item, at: item.x, color: color, map: map, on: &document)
        }
    }

    /// Filled areas between y - error and y + error along x, broken where a point cannot be drawn; on a log
    /// axis a lower edge at or below zero runs along the panel's bottom.
    private func drawBand(_ item: PlotSeries, color: String, map: PanelMapping, on document: inout SVGDocument) {
        guard let errors = item.yErrors else { return }
        var upper: [(x: Double, y: Double)] = []
        var lower: [(x: Double, y: Double)] = []
        func flush() {
            if upper.count > 1 {
                let outline = upper + lower.reversed()
                let data = "M " + outline.map { "\(SVGDocument.format($0.x)) \(SVGDocument.format($0.y))" }
                    .joined(separator: " L ") + " Z"
                document.path(data, style: SVGStyle(stroke: nil, fill: color, fillOpacity: 0.2))
            }
            (upper, lower) = ([], [])
        }
        for i in item.y.indices {
            guard errors[i].isFinite, let x = map.x(item.x[i]), let top = map.y(item.y[i] + errors[i]) else {
                flush()
                continue
            }
            upper.append((x, top))
            lower.append((x, map.y(item.y[i] - errors[i]) ?? map.frame.y + map.frame.height))
        }
        flush()
    }

    /// Vertical bars from y - error to y + error; on a log axis a bar reaching zero runs to the panel's bottom.
    private func drawErrorBars(
        _ item: PlotSeries, at xs: [Double], color: String, map: PanelMapping, on document: inout SVGDocument
    ) {
        guard let errors = item.yErrors else { return }
        let style = SVGStyle(stroke: color, strokeWidth: 1.2)
        for i in item.y.indices where errors[i] > 0 {
            guard let x = map.x(xs[i]), let top = map.y(item.y[i] + errors[i]) else { continue }
            let bottom = map.y(item.y[i] - errors[i]) ?? map.frame.y + map.frame.height
            document.line(x1: x, y1: bottom, x2: x, y2: top, style: style)
        }
    }

    /// Legend box in the top-right corner of the main panel: a sample of each series and its name.
    private func drawLegend(in frame: Frame, on document: inout SVGDocument) {
        let series = series.filter { $0.kind != .band }
        guard !series.isEmpty else { return }
        let rowHeight = 17.0
        let longest = series.map(\.name.count).max() ?? 0
        let boxWidth = 34 + 6.6 * Double(longest)
        let boxHeight = rowHeight * Double(series.count) + 8
        let x = frame.x + frame.width - boxWidth - 8
        let y = frame.y + 8
        document.beginGroup([("class", "legend")])
        document.rect(x: x, y: y, width: boxWidth, height: boxHeight,
                      style: SVGStyle(stroke: "#cccccc", fill: "white"))
        for (index, item) in series.enumerated() {
            let color = item.color ?? Self.palette[index % Self.palette.count]
            let rowY = y + 4 + rowHeight * (Double(index) + 0.5)
            if item.kind == .points {
                document.circle(cx: x + 16, cy: rowY, radius: 3, style: SVGStyle(stroke: nil, fill: color))
            } else {
                document.line(x1: x + 6, y1: rowY, x2: x + 26, y2: rowY,
                              style: SVGStyle(stroke: color, strokeWidth: 2, dashArray: item.dashed ? "6 3" : nil))
            }
            document.text(item.name, x: x + 30, y: rowY + 4, size: 11)
        }
        document.endGroup()
    }
}

/// Data-to-pixel mapping of one panel.
struct PanelMapping {
    var frame: Plot.Frame
    var xAxis: Axis
    var xRange: ClosedRange<Double>
    var yAxis: Axis
    var yRange: ClosedRange<Double>

    /// Pixel x of a data x, `nil` if not drawable on the axis's scale.
    func x(_ value: Double) -> Double? {
        xAxis.fraction(of: value, in: xRange).map { frame.x + $0 * frame.width }
    }

    /// Pixel y of a data y (upwards), `nil` if not drawable on the axis's scale.
    func y(_ value: Double) -> Double? {
        yAxis.fraction(of: value, in: yRange).map { frame.y + (1 - $0) * frame.height }
    }
}
