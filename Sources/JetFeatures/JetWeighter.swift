import Foundation
import JetCore

/// Per-class, per-bin signed weight sums, |weight| sums and jet counts, accumulated batch by batch, so that the
/// `weights.weighting` section of a split needs no per-jet columns (``JetWeighter``).
public struct WeightingHistograms: Sendable, Equatable {
    public let classCount: Int
    public let binCount: Int
    /// Index `class * binCount + bin`.
    public private(set) var sums: [Double]
    public private(set) var absoluteSums: [Double]
    public private(set) var counts: [Double]

    public init(classCount: Int, binCount: Int) {
        (self.classCount, self.binCount) = (classCount, binCount)
        sums = Array(repeating: 0, count: classCount * binCount)
        (absoluteSums, counts) = (sums, sums)
    }

    /// Adds one jet; `row` names it in the errors (a label outside 0..<classCount, a weight not finite).
    public mutating func add(label: Int32, bin: Int, weight: Float, row: Int) throws {
        guard label >= 0 && Int(label) < classCount else {
            throw JetFeaturesError.invalidLabel(row: row, label: label, classCount: classCount)
        }
        guard weight.isFinite else {
            throw JetFeaturesError.nonFiniteInput(field: "weight", row: row, constituent: nil, value: weight)
        }
        let index = Int(label) * binCount + bin
        sums[index] += Double(weight)
        absoluteSums[index] += Double(abs(weight))
        counts[index] += 1
    }

    /// Adds `other`'s sums (after this one's: the order fixes the bits).
    public mutating func add(_ other: Self) {
        precondition(other.classCount == classCount && other.binCount == binCount)
        for index in sums.indices {
            sums[index] += other.sums[index]
            absoluteSums[index] += other.absoluteSums[index]
            counts[index] += other.counts[index]
        }
    }

    /// Sums, absolute sums and counts one after another (to gather them over ranks).
    public var packed: [Double] { sums + absoluteSums + counts }

    /// The histograms of ``packed``.
    public init(packed: ArraySlice<Double>, classCount: Int, binCount: Int) {
        self.init(classCount: classCount, binCount: binCount)
        let size = classCount * binCount
        let start = packed.startIndex
        sums = Array(packed[start..<(start + size)])
        absoluteSums = Array(packed[(start + size)..<(start + 2 * size)])
        counts = Array(packed[(start + 2 * size)..<(start + 3 * size)])
    }

    /// Per class: the sum over its bins of `values` (counts, sums) in bin order.
    func perClass(_ values: [Double]) -> [Double] {
        (0..<classCount).map { label in values[(label * binCount)..<((label + 1) * binCount)].reduce(0, +) }
    }
}

/// The `weights.weighting` section applied one jet at a time from its class, bin, event weight and key (file and
/// row): built from the split's ``WeightingHistograms``, it holds per-class and per-bin tables only, so a streamed
/// split of any size keeps no per-jet arrays, and a split held in memory gets the same weights.
///
/// - `none` and `weighting` keep every jet once; `weighting`'s weight is `w p_target(bin) / p_class(bin)` as in
///   ``KinematicFlattening``.
/// - `pdf` gives jet i of class c a Poisson number of copies of mean
///   `draws |w_i| r_c(bin_i) / Σ_j |w_j| r_c(bin_j)` (r: the flattening ratio; `draws` per class on average, as
///   ``Resampling/pdf`` draws exactly), each of weight sign(w_i).
/// - `count` keeps jet i of class c in bin b with probability min over classes of n(b) / n_c(b) (about as many jets
///   of every class per bin, as ``Resampling/count`` keeps exactly), with its weight.
///
/// The random numbers come from a generator seeded by (`seed`, key), so a jet's copies do not depend on the read
/// order, the data shards or the path. `balanceClasses` then scales each class by one factor, as
/// ``ClassWeighting``, from the per-class sums of the method's weights over the copies: the histograms' for `none`,
/// otherwise a second pass's (``needsBalanceSums``, ``balance(sums:counts:entries:)``).
public struct JetWeighter: Sendable {
    public let spec: WeightingSpec
    public let classCount: Int
    /// The bins of the tables: the binning's, 1 for `none`.
    public let binCount: Int
    /// Per class and bin: the flattening ratio (`weighting`), the mean copies per unit |weight| (`pdf`) or the
    /// probability to keep a jet (`count`).
    private var factors: [Double] = []
    /// Per class, once known: the `balanceClasses` factor.
    private var balanceFactors: [Double]?

    /// The bin count of `spec`'s tables (checks that every method but `none` has a binning).
    public static func binCount(of spec: WeightingSpec) throws -> Int {
        guard spec.method != .none else { return 1 }
        guard let binning = spec.binning else {
            throw JetFeaturesError.invalidSpec("weighting method '\(spec.method.rawValue)' needs a binning")
        }
        try binning.validate()
        return binning.binCount
    }

    /// The tables of `spec` for a split with `histograms` (of every shard, summed in shard order).
    public init(spec: WeightingSpec, histograms: WeightingHistograms) throws {
        self.spec = spec
        classCount = histograms.classCount
        binCount = histograms.binCount
        let (classCount, binCount) = (histograms.classCount, histograms.binCount)
        func ratios() throws -> [[Double]] {
            let classHistograms = ClassHistograms(
                sums: (0..<classCount).map { Array(histograms.sums[($0 * binCount)..<(($0 + 1) * binCount)]) },
                counts: (0..<classCount).map { label in
                    histograms.counts[(label * binCount)..<((label + 1) * binCount)].map { Int($0) }
                })
            if let target = spec.targetClass, !(0..<classCount).contains(target) {
                throw JetFeaturesError.invalidSpec("target class \(target) is outside 0..<\(classCount)")
            }
            return try classHistograms.ratios(targetClass: spec.targetClass, binning: spec.binning!).ratios
        }
        switch spec.method {
        case .none:
            if spec.balanceClasses {
                try balance(
                    sums: histograms.perClass(histograms.sums), counts: histograms.perClass(histograms.counts),
                    entries: Int(histograms.counts.reduce(0, +)))
            }
        case .weighting:
            factors = try ratios().flatMap { $0 }
        case .pdf:
            let ratios = try ratios()
            let classCounts = histograms.perClass(histograms.counts)
            let draws = spec.draws ?? Int(classCounts.max() ?? 0)
            guard draws >= 0 else { throw JetFeaturesError.invalidSpec("draws per class must be >= 0, got \(draws)") }
            for label in 0..<classCount {
                let total = (0..<binCount).reduce(0.0) { $0 + histograms.absoluteSums[label * binCount + $1] * ratios[label][$1] }
                guard total > 0 else { throw JetFeaturesError.nonPositiveClassWeightSum(label: label, sum: total) }
                factors += ratios[label].map { Double(draws) * $0 / total }
            }
        case .count:
            let kept = (0..<binCount).map { bin in (0..<classCount).map { histograms.counts[$0 * binCount + bin] }.min() ?? 0 }
            factors = (0..<(classCount * binCount)).map { index in
                let count = histograms.counts[index]
                return count > 0 ? kept[index % binCount] / count : 0
            }
        }
    }

    /// Whether `balanceClasses` waits for the per-class sums of the method's weights (a second pass).
    public var needsBalanceSums: Bool { spec.balanceClasses && balanceFactors == nil }

    /// Sets the `balanceClasses` factors from the per-class signed sums and entry counts of the method's weights
    /// over all `entries` (jet copies) of the split.
    public mutating func balance(sums: [Double], counts: [Double], entries: Int) throws {
        let target = spec.classTotal ?? Double(entries) / Double(classCount)
        balanceFactors = try (0..<classCount).map { label in
            guard counts[label] > 0 else { throw JetFeaturesError.emptyClass(label: label) }
            guard sums[label] > 0 else { throw JetFeaturesError.nonPositiveClassWeightSum(label: label, sum: sums[label]) }
            return target / sums[label]
        }
    }

    /// The table bin of every jet of a batch under `spec` (`fields`: its jet columns; all 0 for `none`).
    public static func bins(of spec: WeightingSpec, fields: [String: [Float]], count: Int, rows: [Int]) throws -> [Int] {
        guard spec.method != .none else { return [Int](repeating: 0, count: count) }
        guard let binning = spec.binning else {
            throw JetFeaturesError.invalidSpec("weighting method '\(spec.method.rawValue)' needs a binning")
        }
        return try binning.binIndices(fields: fields, count: count, rows: rows)
    }

    /// How many times the jet is trained on (1 but for `pdf` and `count`).
    public func copies(label: Int32, bin: Int, weight: Float, key: UInt64) -> Int {
        switch spec.method {
        case .none, .weighting:
            return 1
        case .pdf:
            var generator = SeededGenerator(seed: spec.seed, key: key)
            var mean = Double(abs(weight)) * factors[Int(label) * binCount + bin]
            var copies = 0
            // Poisson by inversion, in parts of mean <= 32 (e^-mean stays far from underflow)
            while mean > 0 {
                let part = min(mean, 32)
                mean -= part
                let u = generator.nextUnitInterval()
                var (k, probability) = (0, exp(-part))
                var cumulative = probability
                while u >= cumulative && k < 1000 {
                    k += 1
                    probability *= part / Double(k)
                    cumulative += probability
                }
                copies += k
            }
            return copies
        case .count:
            var generator = SeededGenerator(seed: spec.seed, key: key)
            return generator.nextUnitInterval() < factors[Int(label) * binCount + bin] ? 1 : 0
        }
    }

    /// The weight of each copy before `balanceClasses`.
    public func methodWeight(label: Int32, bin: Int, weight: Float) -> Float {
        switch spec.method {
        case .none, .count: weight
        case .weighting: Float(Double(weight) * factors[Int(label) * binCount + bin])
        case .pdf: weight < 0 ? -1 : 1
        }
    }

    /// The training weight of each copy (after `balanceClasses`, whose factors must be set).
    public func weight(label: Int32, bin: Int, weight: Float) -> Float {
        let weight = methodWeight(label: label, bin: bin, weight: weight)
        guard spec.balanceClasses else { return weight }
        return Float(Double(weight) * balanceFactors![Int(label)])
    }
}

extension SeededGenerator {
    /// A generator for one item of a seeded draw (a jet by its file and row), independent of the others' order.
    public init(seed: UInt64, key: UInt64) {
        self.init(seed: seed ^ (key &* 0x9E37_79B9_7F4A_7C15) ^ 0x6A09_E667_F3BC_C908)
    }
}
