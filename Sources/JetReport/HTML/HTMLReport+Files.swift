import Foundation
import JetMetrics

extension HTMLReport {
    /// Number of plots and heatmaps on the page.
    public var figureCount: Int { figures.count }

    /// Every plot and heatmap, in page order, as standalone SVG documents.
    public var figures: [String] {
        sections.flatMap(\.blocks).compactMap { block in
            switch block {
            case .figure(let plot, _): plot.svg
            case .heatmap(let heatmap, _): heatmap.svg
            default: nil
            }
        }
    }

    /// Writes each figure as `directory`/`<n>.svg` (n from 1, zero-padded to 3 digits), replacing the
    /// directory's earlier SVG files.
    public func writePlots(to directory: URL) throws(JetMetricsError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for old in try FileManager.default.contentsOfDirectory(atPath: directory.path) where old.hasSuffix(".svg") {
                try FileManager.default.removeItem(at: directory.appendingPathComponent(old))
            }
        } catch {
            throw .writeFailed(path: directory.path, error: error)
        }
        for (index, svg) in figures.enumerated() {
            try AtomicFile.write(svg, to: directory.appendingPathComponent(String(format: "%03d.svg", index + 1)))
        }
    }
}
