import JetMetrics

extension Heatmap {
    /// A saliency map as a heatmap: features as rows (input order), constituent ranks as columns (0 = highest
    /// pt), a diverging scale symmetric around 0 for signed values and a sequential one for absolute values.
    ///
    /// - Parameters:
    ///   - map: [P, F] values.
    ///   - emptyRanks: ranks drawn as "no data" (no jet reaches them).
    ///   - absolute: whether the values are absolute (sequential scale) or signed (diverging scale).
    ///   - valueLabel: colour-bar label, e.g. "mean d(logit)/dx".
    public static func saliency(
        _ map: SaliencyMap, title: String, absolute: Bool, valueLabel: String, emptyRanks: Set<Int> = []
    ) -> Heatmap {
        let (ranks, features) = (map.rankCount, map.featureCount)
        var values = [Double](repeating: 0, count: ranks * features)
        for feature in 0..<features {
            for rank in 0..<ranks {
                values[feature * ranks + rank] = emptyRanks.contains(rank) ? .nan : map[rank, feature]
            }
        }
        return Heatmap(
            title: title, rowLabels: map.featureNames, columnLabels: (0..<ranks).map(String.init),
            rowAxisLabel: "Input feature", columnAxisLabel: "Constituent rank (0 = highest pT)", values: values,
            colorScale: absolute ? .sequential : .diverging, valueLabel: valueLabel)
    }

    /// The mean signed or absolute map of one selection, up to the last rank a selected jet reaches (ranks no
    /// selected jet reaches inside that span are drawn as "no data").
    ///
    /// - Parameters:
    ///   - method: names the method in the title, e.g. "Gradient saliency" or "Integrated gradients".
    ///   - valueName: what is averaged, for the colour-bar label: "d logit / dx", "d D_b / dx", "attribution".
    public static func saliency(
        _ average: AveragedSaliency, absolute: Bool, method: String = "Gradient saliency",
        valueName: String = "d logit / dx"
    ) -> Heatmap {
        let shownRanks = (average.rankCounts.lastIndex { $0 > 0 } ?? 0) + 1
        let width = average.meanSigned.featureCount
        let source = absolute ? average.meanAbsolute : average.meanSigned
        let map = SaliencyMap(featureNames: source.featureNames, values: Array(source.values.prefix(shownRanks * width)))
        let empty = Set((0..<shownRanks).filter { average.rankCounts[$0] == 0 })
        let title = "\(method): \(average.selection.name) (\(average.jetCount) jets)"
        let label = absolute ? "mean |\(valueName)|" : "mean \(valueName)"
        return saliency(map, title: title, absolute: absolute, valueLabel: label, emptyRanks: empty)
    }
}
