import JetMetrics

extension Heatmap {
    /// One head's mean particle-attention map of one class (``JetMetrics/AttentionMaps``): query slots as rows,
    /// key slots as columns (0 = highest pT), a sequential scale over `range` (shared by the maps it is compared
    /// with); cells no jet reaches are "no data".
    public static func attention(
        _ maps: AttentionMaps.ClassMaps, head: Int, block: String, range: ClosedRange<Double>
    ) -> Heatmap {
        let means = maps.particleMeans[head]
        return Heatmap(
            title: "Attention, \(block) head \(head): \(maps.className) jets (\(maps.jetCount))",
            rowLabels: means.indices.map(String.init), columnLabels: means.indices.map(String.init),
            rowAxisLabel: "Query constituent (0 = highest pT)", columnAxisLabel: "Key constituent (0 = highest pT)",
            values: means.flatMap { $0 }, colorScale: .sequential, valueLabel: "mean attention weight", range: range)
    }
}
