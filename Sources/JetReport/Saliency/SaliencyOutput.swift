import Foundation
import JetMetrics

/// The files of a saliency analysis in one directory: `saliency.json` (the whole ``SaliencyReport``), one CSV
/// per averaged map (`gradient_<selection>.csv`, `integrated_gradients_<selection>.csv`) and per kept jet
/// (`jet_<index>.csv`), and a signed and an absolute heatmap of each (`<same name>_signed.svg`,
/// `<same name>_absolute.svg`; one signed heatmap per jet).
public struct SaliencyOutput: Sendable {
    public var report: SaliencyReport

    public init(report: SaliencyReport) {
        self.report = report
    }

    /// Base names (without extension) and contents of the per-map files, in report order.
    public var maps: [(name: String, csv: CSVTable, heatmaps: [(suffix: String, heatmap: Heatmap)])] {
        let target = report.target.description
        var result: [(name: String, csv: CSVTable, heatmaps: [(suffix: String, heatmap: Heatmap)])] = []
        let methods: [(prefix: String, method: String, valueName: String, maps: SaliencyMaps)] =
            [("gradient", "Gradient saliency", "d \(target) / dx", report.gradient)]
            + (report.integratedGradients.map { [("integrated_gradients", "Integrated gradients", "attribution", $0.maps)] } ?? [])
        for entry in methods {
            for average in entry.maps.averages {
                result.append((
                    "\(entry.prefix)_\(Self.slug(average.selection.name))", average.csvTable,
                    [false, true].map { absolute in
                        (absolute ? "absolute" : "signed",
                         Heatmap.saliency(average, absolute: absolute, method: entry.method, valueName: entry.valueName))
                    }))
            }
        }
        for jet in report.gradient.jets {
            let ranks = max(jet.multiplicity, 1)
            let width = jet.map.featureCount
            let shown = SaliencyMap(featureNames: jet.map.featureNames, values: Array(jet.map.values.prefix(ranks * width)))
            let label = jet.label.map { ", label \($0)" } ?? ""
            let score = jet.score.map { String(format: ", score %.3f", $0) } ?? ""
            let heatmap = Heatmap.saliency(
                shown, title: "Jet \(jet.jetIndex)\(label)\(score), \(jet.multiplicity) constituents", absolute: false,
                valueLabel: "d \(target) / dx")
            result.append(("jet_\(jet.jetIndex)", jet.csvTable, [("signed", heatmap)]))
        }
        return result
    }

    /// Writes every file into `directory` (created if needed).
    public func write(to directory: URL) throws(JetMetricsError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(path: directory.path, error: error)
        }
        try MetricsJSON.write(report, to: directory.appendingPathComponent("saliency.json"))
        for map in maps {
            try map.csv.write(to: directory.appendingPathComponent("\(map.name).csv"))
            for heatmap in map.heatmaps {
                try heatmap.heatmap.write(to: directory.appendingPathComponent("\(map.name)_\(heatmap.suffix).svg"))
            }
        }
    }

    /// A few lines for the terminal: what was differentiated, and per selection its jets and the three
    /// (rank, feature) cells with the largest mean |gradient|; the completeness check when computed.
    public static func summary(_ report: SaliencyReport) -> String {
        var lines = ["saliency of \(report.target.description) over \(report.jetCount) jets; largest mean |gradient|:"]
        for average in report.gradient.averages {
            let map = average.meanAbsolute
            let top = map.values.indices.sorted { map.values[$0] > map.values[$1] }.prefix(3).map { cell in
                String(format: "%@[%d] %.3g", map.featureNames[cell % map.featureCount] as NSString, cell / map.featureCount, map.values[cell])
            }
            lines.append("  \(average.selection.name) (\(average.jetCount) jets): \(average.jetCount > 0 ? top.joined(separator: ", ") : "-")")
        }
        if let integrated = report.integratedGradients {
            let check = integrated.completeness
            lines.append(String(
                format: "integrated gradients (%d steps): completeness error max %.3g, mean %.3g (relative: max %.3g, mean %.3g)",
                integrated.options.steps, check.maxAbsoluteError, check.meanAbsoluteError, check.maxRelativeError,
                check.meanRelativeError))
        }
        return lines.joined(separator: "\n")
    }

    /// Lower-case letters and digits, other runs of characters as one "_": "passing 50% (score >= 0.7)" ->
    /// "passing_50_score_0_7".
    static func slug(_ name: String) -> String {
        var slug = ""
        for character in name.lowercased() {
            if character.isASCII && (character.isLetter || character.isNumber) {
                slug.append(character)
            } else if !slug.isEmpty && slug.last != "_" {
                slug.append("_")
            }
        }
        return slug.hasSuffix("_") ? String(slug.dropLast()) : slug
    }
}
