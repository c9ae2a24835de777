import JetCore

/// Resampling of jets to match a target distribution in kinematic bins (umami's "pdf" and "count").
public enum Resampling {
    /// "pdf": draws with replacement so that every class follows the target's binned distribution.
    ///
    /// Jet i of class c is drawn with probability proportional to |w_i| * p_target(bin) / p_c(bin)
    /// (densities as in `KinematicFlattening`) and every draw carries weight sign(w_i), so a drawn sample's
    /// signed sums estimate the flattened weights' sums without dropping negative weights.
    /// - Parameters:
    ///   - draws: jets drawn per class; nil for the largest class's jet count.
    ///   - seed: fixes the draws (`SeededGenerator`).
    /// - Returns: drawn jet indices (ascending, with repeats) and their weights (+1 or -1).
    public static func pdf(
        weights: [Float], labels: [Int32], bins: [Int], binning: KinematicBinning, classCount: Int,
        targetClass: Int?, draws: Int? = nil, seed: UInt64, rows: [Int] = []
    ) throws -> (indices: [Int], weights: [Float], zeroTargetBins: [Int]) {
        let histograms = try KinematicFlattening.histograms(
            weights: weights, labels: labels, bins: bins, binning: binning, classCount: classCount,
            targetClass: targetClass, rows: rows)
        let (ratios, zeroTargetBins) = try histograms.ratios(targetClass: targetClass, binning: binning)
        let drawCount = draws ?? histograms.counts.map { $0.reduce(0, +) }.max() ?? 0
        guard drawCount >= 0 else { throw JetFeaturesError.invalidSpec("draws per class must be >= 0, got \(drawCount)") }

        var generator = SeededGenerator(seed: seed)
        var indices = [Int]()
        indices.reserveCapacity(drawCount * classCount)
        for label in 0..<classCount {
            let members = labels.indices.filter { Int(labels[$0]) == label }
            var cumulative = [Double]()
            cumulative.reserveCapacity(members.count)
            var total: Double = 0
            for jet in members {
                total += Double(abs(weights[jet])) * ratios[label][bins[jet]]
                cumulative.append(total)
            }
            guard total > 0 else { throw JetFeaturesError.nonPositiveClassWeightSum(label: label, sum: total) }
            for _ in 0..<drawCount {
                let u = generator.nextUnitInterval() * total
                var (low, high) = (0, cumulative.count - 1)
                while low < high {
                    let middle = (low + high) / 2
                    if cumulative[middle] > u { high = middle } else { low = middle + 1 }
                }
                indices.append(members[low])
            }
        }
        indices.sort()
        return (indices, indices.map { weights[$0] < 0 ? -1 : 1 }, zeroTargetBins)
    }

    /// "count": undersampling without replacement; in every bin each class keeps as many jets as the
    /// class with the fewest jets there (chosen uniformly at random, seeded). Weights are not used for the
    /// choice; kept jets keep their signed weights.
    ///
    /// - Returns: kept jet indices, ascending.
    public static func count(
        labels: [Int32], bins: [Int], binCount: Int, classCount: Int, seed: UInt64, rows: [Int] = []
    ) throws -> [Int] {
        guard bins.count == labels.count else {
            throw JetFeaturesError.shapeMismatch(field: "bin", expected: labels.count, got: bins.count)
        }
        try ClassHistograms.validate(labels: labels, weights: [], classCount: classCount, rows: rows)
        var members = Array(repeating: [[Int]](repeating: [], count: binCount), count: classCount)
        for (jet, label) in labels.enumerated() { members[Int(label)][bins[jet]].append(jet) }

        var generator = SeededGenerator(seed: seed)
        var kept = [Int]()
        for bin in 0..<binCount {
            let keep = (0..<classCount).map { members[$0][bin].count }.min() ?? 0
            for label in 0..<classCount {
                var pool = members[label][bin]
                for slot in 0..<keep {
                    pool.swapAt(slot, slot + generator.nextIndex(below: pool.count - slot))
                }
                kept += pool[0..<keep]
            }
        }
        return kept.sorted()
    }
}
