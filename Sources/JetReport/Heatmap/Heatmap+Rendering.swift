import Foundation

extension Heatmap {
    /// Fill of cells without data (NaN values).
    static let emptyCellColor = "#b0b0b0"
    /// Number of stripes the colour bar is drawn with.
    private static let colorBarStripes = 96

    /// Pixel layout: cells of `cell` size at (`grid.x`, `grid.y`), the colour bar to their right.
    private struct Layout {
        var cellWidth: Double
        var cellHeight: Double
        var gridX: Double
        var gridY: Double
        var colorBarX: Double
        var width: Double
        var height: Double
        var gridWidth: Double
        var gridHeight: Double
    }

    private func layout(tickLabelWidth: Double, hasEmptyCells: Bool) -> Layout {
        let rows = Double(rowLabels.count)
        let columns = Double(columnLabels.count)
        let cellHeight = min(max(24, 240 / rows), 48)
        // At least 240 pixels of grid, so that the column axis label fits under it.
        let cellWidth = max(min(max(12, 720 / columns), 64), 240 / columns)
        let labelWidth = 7.4 * Double(rowLabels.map(\.count).max() ?? 0)
        let gridX = 40 + labelWidth
        let gridY = 48.0
        let (gridWidth, gridHeight) = (cellWidth * columns, cellHeight * rows)
        let colorBarX = gridX + gridWidth + 28
        return Layout(
            cellWidth: cellWidth, cellHeight: cellHeight, gridX: gridX, gridY: gridY, colorBarX: colorBarX,
            width: colorBarX + 18 + 8 + tickLabelWidth + 34,
            height: gridY + gridHeight + 56 + (hasEmptyCells ? 18 : 0), gridWidth: gridWidth, gridHeight: gridHeight)
    }

    /// Draws title, cells, row and column labels, and the colour bar with its ticks.
    func render() -> SVGDocument {
        let shownRange = range ?? colorScale.range(for: values)
        let ticks = Axis(label: valueLabel, range: shownRange).ticks(in: shownRange)
        let hasEmptyCells = values.contains { $0.isNaN }
        let frame = layout(
            tickLabelWidth: 7 * Double(ticks.map(\.label.count).max() ?? 1), hasEmptyCells: hasEmptyCells)
        var document = SVGDocument(width: frame.width, height: frame.height)
        document.rect(x: 0, y: 0, width: frame.width, height: frame.height, style: SVGStyle(stroke: nil, fill: "white"))
        document.text(title, x: frame.gridX, y: 28, size: 15, weight: "bold")

        document.beginGroup([("class", "cells")])
        for row in rowLabels.indices {
            for column in columnLabels.indices {
                let value = self[row, column]
                let fill = value.isNaN ? Self.emptyCellColor : colorScale.color(for: value, in: shownRange)
                document.rect(
                    x: frame.gridX + Double(column) * frame.cellWidth, y: frame.gridY + Double(row) * frame.cellHeight,
                    width: frame.cellWidth, height: frame.cellHeight,
                    style: SVGStyle(stroke: "white", strokeWidth: 0.5, fill: fill))
            }
        }
        document.endGroup()

        document.beginGroup([("class", "labels")])
        for (row, label) in rowLabels.enumerated() {
            let y = frame.gridY + (Double(row) + 0.5) * frame.cellHeight + 4
            document.text(label, x: frame.gridX - 6, y: y, anchor: .end, size: 12)
        }
        let every = Self.labelStride(cellWidth: frame.cellWidth, minimumSpacing: 30)
        let bottom = frame.gridY + frame.gridHeight
        for (column, label) in columnLabels.enumerated() where column % every == 0 {
            let x = frame.gridX + (Double(column) + 0.5) * frame.cellWidth
            document.line(x1: x, y1: bottom, x2: x, y2: bottom + 4)
            document.text(label, x: x, y: bottom + 17, anchor: .middle, size: 12)
        }
        document.text(columnAxisLabel, x: frame.gridX + frame.gridWidth / 2, y: bottom + 38, anchor: .middle, size: 13)
        document.text(
            rowAxisLabel, x: 18, y: frame.gridY + frame.gridHeight / 2, anchor: .middle, size: 13, rotation: -90)
        if hasEmptyCells {
            document.rect(x: frame.gridX, y: bottom + 48, width: 12, height: 12,
                          style: SVGStyle(stroke: nil, fill: Self.emptyCellColor))
            document.text("no data", x: frame.gridX + 18, y: bottom + 58, size: 12)
        }
        document.endGroup()

        drawColorBar(ticks: ticks, range: shownRange, frame: frame, on: &document)
        return document
    }

    /// The smallest of 1, 2, 5, 10, 20, 50, ... columns that puts labels at least `minimumSpacing` pixels apart.
    static func labelStride(cellWidth: Double, minimumSpacing: Double) -> Int {
        var magnitude = 1
        while true {
            for multiple in [1, 2, 5] where Double(multiple * magnitude) * cellWidth >= minimumSpacing {
                return multiple * magnitude
            }
            magnitude *= 10
        }
    }

    /// A vertical bar of stripes from the low end (bottom) to the high end (top), with tick marks, tick labels and
    /// the value label.
    private func drawColorBar(
        ticks: [Axis.Tick], range: ClosedRange<Double>, frame: Layout, on document: inout SVGDocument
    ) {
        let (x, top, width, height) = (frame.colorBarX, frame.gridY, 18.0, frame.gridHeight)
        document.beginGroup([("class", "colorbar")])
        let stripe = height / Double(Self.colorBarStripes)
        for i in 0..<Self.colorBarStripes {
            let value = range.lowerBound + (Double(i) + 0.5) / Double(Self.colorBarStripes) * (range.upperBound - range.lowerBound)
            // Each stripe overlaps the next by half a pixel so that no background shows between them.
            document.rect(
                x: x, y: top + height - Double(i + 1) * stripe, width: width, height: stripe + 0.5,
                style: SVGStyle(stroke: nil, fill: colorScale.color(for: value, in: range)))
        }
        document.rect(x: x, y: top, width: width, height: height, style: SVGStyle(stroke: "black", strokeWidth: 0.8))
        var labelRight = x + width
        for tick in ticks {
            let y = top + height * (1 - (tick.value - range.lowerBound) / (range.upperBound - range.lowerBound))
            document.line(x1: x + width, y1: y, x2: x + width + 4, y2: y)
            document.text(tick.label, x: x + width + 7, y: y + 4, size: 11)
            labelRight = max(labelRight, x + width + 7 + 7 * Double(tick.label.count))
        }
        document.text(valueLabel, x: labelRight + 16, y: top + height / 2, anchor: .middle, size: 13, rotation: -90)
        document.endGroup()
    }
}
