extension SaliencyMap {
    /// Long-format rows `rank`, `feature` (name), then one numeric column per map, for maps of the same shape.
    ///
    /// - Parameter maps: (column name, map) pairs, all with this map's ranks and features.
    static func csvTable(_ maps: [(name: String, map: SaliencyMap)], extraColumns: [(name: String, values: [Double])] = [])
        -> CSVTable
    {
        let first = maps[0].map
        precondition(
            maps.allSatisfy { $0.map.featureNames == first.featureNames && $0.map.rankCount == first.rankCount },
            "SaliencyMap.csvTable: maps of different shapes")
        let ranks = (0..<first.rankCount).flatMap { rank in repeatElement(Double(rank), count: first.featureCount) }
        let features = (0..<first.rankCount).flatMap { _ in first.featureNames }
        return CSVTable(
            textColumns: [CSVTable.TextColumn(name: "feature", values: features)],
            columns: [("rank", ranks)] + maps.map { ($0.name, $0.map.values) } + extraColumns)
    }
}

extension AveragedSaliency {
    /// Columns `feature`, `rank`, `mean_signed`, `mean_absolute`, `jets_at_rank`: one row per (rank, feature).
    public var csvTable: CSVTable {
        let perRank = rankCounts.flatMap { repeatElement(Double($0), count: meanSigned.featureCount) }
        return SaliencyMap.csvTable(
            [("mean_signed", meanSigned), ("mean_absolute", meanAbsolute)], extraColumns: [("jets_at_rank", perRank)])
    }
}

extension SingleJetSaliency {
    /// Columns `feature`, `rank`, `signed`, `absolute`: one row per (rank, feature).
    public var csvTable: CSVTable {
        SaliencyMap.csvTable([("signed", map), ("absolute", map.absolute)])
    }
}
