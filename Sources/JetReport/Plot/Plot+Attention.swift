import JetMetrics

extension Plot {
    /// The class token's mean attention weight on each constituent slot of one class's jets, a line per head, on
    /// a logarithmic axis (weights fall by orders of magnitude from the hardest constituents); slots no jet
    /// reaches are left out.
    public static func classTokenAttention(_ maps: AttentionMaps.ClassMaps, block: String) -> Plot {
        let series = maps.classTokenMeans.enumerated().map { head, means in
            PlotSeries.line(
                name: "head \(head) (on token \(String(format: "%.3f", maps.classTokenSelf[head])))",
                x: means.indices.map(Double.init), y: means, color: palette[head % palette.count],
                dashed: head >= palette.count)
        }
        return Plot(
            title: "Class-token attention, \(block): \(maps.className) jets (\(maps.jetCount))",
            xAxis: Axis(label: "Constituent (0 = highest pT)", range: -0.5...(Double(maps.slotJetCounts.count) - 0.5)),
            yAxis: Axis(label: "Mean attention weight", scale: .logarithmic), series: series)
    }
}
