import JetMetrics
import JetNN

/// What the accumulators need to know about one jet of a batch.
struct JetContext {
    /// Position among all jets analysed.
    var index: Int
    var label: Int?
    var score: Float?
    var multiplicity: Int
}

/// Running sums behind ``AveragedSaliency`` for every selection, plus the per-jet maps asked for.
///
/// Sizes: P = `rankCount` ranks, F features, S selections; sums are [S][P * F] in Double.
struct SaliencyAccumulator: Sendable {
    let selections: [SaliencySelection]
    let featureNames: [String]
    let rankCount: Int
    let recordedJets: Set<Int>
    private var signedSums: [[Double]]
    private var absoluteSums: [[Double]]
    private var rankCounts: [[Int]]
    private var jetCounts: [Int]
    private var jets: [SingleJetSaliency] = []

    init(selections: [SaliencySelection], featureNames: [String], rankCount: Int, recordedJets: Set<Int>) {
        self.selections = selections
        self.featureNames = featureNames
        self.rankCount = rankCount
        self.recordedJets = recordedJets
        let size = rankCount * featureNames.count
        signedSums = selections.map { _ in [Double](repeating: 0, count: size) }
        absoluteSums = signedSums
        rankCounts = selections.map { _ in [Int](repeating: 0, count: rankCount) }
        jetCounts = selections.map { _ in 0 }
    }

    /// Adds one batch of maps.
    ///
    /// - Parameters:
    ///   - maps: packed [N, F], jet b's constituents in rows `offsets.rows(of: b)`; ranks from P on are left out.
    ///   - jets: [B] per-jet context.
    ///   - outputs: [B] target values.
    mutating func add(_ maps: Matrix, offsets: JetOffsets, jets context: [JetContext], outputs: [Double]) {
        precondition(
            maps.columns == featureNames.count && maps.rows == offsets.constituentCount
                && context.count == offsets.jetCount,
            "SaliencyAccumulator: maps \(maps) and \(context.count) jets do not fit \(featureNames.count) features, "
                + "\(offsets.constituentCount) constituents, \(offsets.jetCount) jets")
        let width = featureNames.count
        for (b, jet) in context.enumerated() {
            let ranks = min(jet.multiplicity, rankCount)
            let first = offsets.offsets[b] * width
            let count = ranks * width
            maps.storage.withUnsafeBufferPointer { all in
                let values = UnsafeBufferPointer(rebasing: all[first..<(first + count)])
                for s in selections.indices
                where selections[s].contains(label: jet.label, multiplicity: jet.multiplicity, score: jet.score) {
                    jetCounts[s] += 1
                    for rank in 0..<ranks { rankCounts[s][rank] += 1 }
                    signedSums[s].withUnsafeMutableBufferPointer { signed in
                        absoluteSums[s].withUnsafeMutableBufferPointer { absolute in
                            for i in 0..<count {
                                let v = Double(values[i])
                                signed[i] += v
                                absolute[i] += Swift.abs(v)
                            }
                        }
                    }
                }
                if recordedJets.contains(jet.index) {
                    var padded = values.map(Double.init)
                    padded += repeatElement(0, count: rankCount * width - count)
                    self.jets.append(SingleJetSaliency(
                        jetIndex: jet.index, label: jet.label, multiplicity: jet.multiplicity,
                        score: jet.score.map(Double.init), output: outputs[b],
                        map: SaliencyMap(featureNames: featureNames, values: padded)))
                }
            }
        }
    }

    /// The averages so far and the recorded jets in index order.
    var maps: SaliencyMaps {
        let averages = selections.indices.map { s in
            let width = featureNames.count
            var signed = signedSums[s]
            var absolute = absoluteSums[s]
            for i in signed.indices where rankCounts[s][i / width] > 0 {
                signed[i] /= Double(rankCounts[s][i / width])
                absolute[i] /= Double(rankCounts[s][i / width])
            }
            return AveragedSaliency(
                selection: selections[s], jetCount: jetCounts[s], rankCounts: rankCounts[s],
                meanSigned: SaliencyMap(featureNames: featureNames, values: signed),
                meanAbsolute: SaliencyMap(featureNames: featureNames, values: absolute))
        }
        return SaliencyMaps(averages: averages, jets: jets.sorted { $0.jetIndex < $1.jetIndex })
    }
}
