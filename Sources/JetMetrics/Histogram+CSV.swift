extension Histogram {
    /// Columns `low_edge`, `high_edge`, `sum_weights`, `sum_weights_squared`, `error`, one row per bin
    /// (under- and overflow are in the JSON form only).
    public var csvTable: CSVTable {
        CSVTable(columns: [
            ("low_edge", Array(edges.dropLast())), ("high_edge", Array(edges.dropFirst())),
            ("sum_weights", sumWeights), ("sum_weights_squared", sumWeightsSquared), ("error", errors),
        ])
    }
}
