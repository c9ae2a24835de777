/// Per-class histograms of signed weight sums and jet counts over flat bins.
///
/// Sizes: C = classes, N = bins; `sums` and `counts` are [C][N].
struct ClassHistograms {
    let classCount: Int
    let binCount: Int
    private(set) var sums: [[Double]]
    private(set) var counts: [[Int]]

    init(labels: [Int32], weights: [Float], bins: [Int], classCount: Int, binCount: Int) {
        self.classCount = classCount
        self.binCount = binCount
        sums = Array(repeating: Array(repeating: 0, count: binCount), count: classCount)
        counts = Array(repeating: Array(repeating: 0, count: binCount), count: classCount)
        for (jet, label) in labels.enumerated() {
            sums[Int(label)][bins[jet]] += Double(weights[jet])
            counts[Int(label)][bins[jet]] += 1
        }
    }

    /// Histograms already summed: `sums` and `counts` are [C][N].
    init(sums: [[Double]], counts: [[Int]]) {
        classCount = sums.count
        binCount = sums.first?.count ?? 0
        (self.sums, self.counts) = (sums, counts)
    }

    /// The class's histogram normalised to unit signed sum.
    ///
    /// - Throws: `.emptyClass`, `.nonPositiveClassWeightSum`, or `.nonPositiveBinSum` for a bin with
    ///   jets whose signed sum is <= 0 (a density ratio there would be undefined or flip signs).
    func density(of label: Int, binning: KinematicBinning) throws -> [Double] {
        guard counts[label].contains(where: { $0 > 0 }) else { throw JetFeaturesError.emptyClass(label: label) }
        let total = sums[label].reduce(0, +)
        guard total > 0 else { throw JetFeaturesError.nonPositiveClassWeightSum(label: label, sum: total) }
        for bin in 0..<binCount where counts[label][bin] > 0 && sums[label][bin] <= 0 {
            throw JetFeaturesError.nonPositiveBinSum(
                label: label, bin: binning.coordinates(ofBin: bin), sum: sums[label][bin], jets: counts[label][bin])
        }
        return sums[label].map { $0 / total }
    }

    /// Per class and bin, target density over class density (0 in bins where the class has no jets).
    ///
    /// - Parameter targetClass: the class to match, or nil for a uniform density over the bins.
    /// - Returns: ratios [C][N] and the bins where the target density is 0.
    func ratios(targetClass: Int?, binning: KinematicBinning) throws -> (ratios: [[Double]], zeroTargetBins: [Int]) {
        let target = try targetClass.map { try density(of: $0, binning: binning) }
            ?? Array(repeating: 1 / Double(binCount), count: binCount)
        let ratios = try (0..<classCount).map { label in
            let density = try self.density(of: label, binning: binning)
            return (0..<binCount).map { bin in counts[label][bin] > 0 ? target[bin] / density[bin] : 0 }
        }
        return (ratios, (0..<binCount).filter { target[$0] == 0 })
    }

    /// Checks that every label lies in 0..<classCount and every weight is finite (`weights` may be empty
    /// when weights are not used).
    static func validate(labels: [Int32], weights: [Float], classCount: Int, rows: [Int]) throws {
        func row(_ jet: Int) -> Int { rows.count == labels.count ? rows[jet] : jet }
        for (jet, label) in labels.enumerated() where label < 0 || Int(label) >= classCount {
            throw JetFeaturesError.invalidLabel(row: row(jet), label: label, classCount: classCount)
        }
        if let jet = weights.firstIndex(where: { !$0.isFinite }) {
            throw JetFeaturesError.nonFiniteInput(field: "weight", row: row(jet), constituent: nil, value: weights[jet])
        }
    }
}
