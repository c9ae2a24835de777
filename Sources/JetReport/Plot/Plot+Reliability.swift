import Foundation
import JetMetrics

extension Plot {
    /// The reliability diagram of one class for one or several taggers (``ReliabilityDiagram``): per bin the
    /// observed fraction of `className` jets, with its binomial error, at the weighted mean predicted p(class),
    /// against the diagonal of a calibrated tagger; the legend gives each tagger's expected calibration error.
    public static func reliability(_ taggers: [(name: String, diagram: ReliabilityDiagram)], className: String) -> Plot {
        var series: [PlotSeries] = [.line(name: "calibrated", x: [0, 1], y: [0, 1], color: "#888888", dashed: true)]
        for (t, entry) in taggers.enumerated() {
            let bins = entry.diagram.bins.filter { $0.sumWeights > 0 }
            series.append(.points(
                name: "\(entry.name) (ECE \(String(format: "%.4f", entry.diagram.expectedCalibrationError)))",
                x: bins.map(\.meanPredicted), y: bins.map(\.observedFraction),
                errors: bins.map { $0.observedFractionError.isFinite ? $0.observedFractionError : 0 },
                color: palette[t % palette.count]))
        }
        return Plot(
            title: "Reliability: \(className)", xAxis: Axis(label: "Predicted p(\(className))", range: 0...1),
            yAxis: Axis(label: "Observed fraction of \(className) jets", range: 0...1), series: series)
    }
}
