/// How training jets are weighted or resampled (docs/DESIGN.md section 4), as written in the YAML config.
///
/// Keys and defaults:
/// - `method`: `none` (default; event weights as they are), `weighting` (kinematic flattening,
///   `KinematicFlattening`), `pdf` (resampling with replacement, `Resampling.pdf`) or `count`
///   (undersampling to the smallest class per bin, `Resampling.count`);
/// - `binning`: the (pt, eta) bins, required by every method but `none`;
/// - `targetClass`: the class whose distribution the others get; absent for a uniform distribution over
///   the bins (`weighting`, `pdf`);
/// - `balanceClasses`: true (default) to give every class the same signed weight sum afterwards
///   (`ClassWeighting`); `classTotal`: that sum, default the mean number of jets per class;
/// - `draws`: jets drawn per class by `pdf`, default the largest class's count;
/// - `seed`: for `pdf` and `count`, default 0.
public struct WeightingSpec: Codable, Sendable, Equatable {
    public enum Method: String, Codable, Sendable {
        case none, weighting, pdf, count
    }

    public var method: Method
    public var binning: KinematicBinning?
    public var targetClass: Int?
    public var balanceClasses: Bool
    public var classTotal: Double?
    public var draws: Int?
    public var seed: UInt64

    public init(
        method: Method = .none, binning: KinematicBinning? = nil, targetClass: Int? = nil,
        balanceClasses: Bool = true, classTotal: Double? = nil, draws: Int? = nil, seed: UInt64 = 0
    ) {
        self.method = method
        self.binning = binning
        self.targetClass = targetClass
        self.balanceClasses = balanceClasses
        self.classTotal = classTotal
        self.draws = draws
        self.seed = seed
    }

    private enum CodingKeys: String, CodingKey {
        case method, binning, targetClass, balanceClasses, classTotal, draws, seed
    }

    public init(from decoder: Decoder) throws {
        let keyed = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            method: try keyed.decodeIfPresent(Method.self, forKey: .method) ?? .none,
            binning: try keyed.decodeIfPresent(KinematicBinning.self, forKey: .binning),
            targetClass: try keyed.decodeIfPresent(Int.self, forKey: .targetClass),
            balanceClasses: try keyed.decodeIfPresent(Bool.self, forKey: .balanceClasses) ?? true,
            classTotal: try keyed.decodeIfPresent(Double.self, forKey: .classTotal),
            draws: try keyed.decodeIfPresent(Int.self, forKey: .draws),
            seed: try keyed.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0)
    }

    /// Applies the spec to a training set.
    ///
    /// - Parameters:
    ///   - labels: class per jet in 0..<classCount [N].
    ///   - weights: signed event weight per jet [N].
    ///   - fields: jet-level columns [N] holding at least the binning's fields.
    ///   - rows: file rows for error messages (empty: positions).
    /// - Returns: the jets to train on and their weights.
    public func apply(
        labels: [Int32], weights: [Float], fields: [String: [Float]], classCount: Int, rows: [Int] = []
    ) throws -> WeightingResult {
        guard weights.count == labels.count else {
            throw JetFeaturesError.shapeMismatch(field: "weight", expected: labels.count, got: weights.count)
        }
        var result: WeightingResult
        if method == .none {
            result = WeightingResult(indices: Array(labels.indices), weights: weights, zeroTargetBins: [])
        } else {
            guard let binning else {
                throw JetFeaturesError.invalidSpec("weighting method '\(method.rawValue)' needs a binning")
            }
            let bins = try binning.binIndices(fields: fields, count: labels.count, rows: rows)
            switch method {
            case .none, .weighting:
                let flattened = try KinematicFlattening.weights(
                    weights: weights, labels: labels, bins: bins, binning: binning, classCount: classCount,
                    targetClass: targetClass, rows: rows)
                result = WeightingResult(
                    indices: Array(labels.indices), weights: flattened.weights,
                    zeroTargetBins: flattened.zeroTargetBins)
            case .pdf:
                let drawn = try Resampling.pdf(
                    weights: weights, labels: labels, bins: bins, binning: binning, classCount: classCount,
                    targetClass: targetClass, draws: draws, seed: seed, rows: rows)
                result = WeightingResult(indices: drawn.indices, weights: drawn.weights, zeroTargetBins: drawn.zeroTargetBins)
            case .count:
                let kept = try Resampling.count(
                    labels: labels, bins: bins, binCount: binning.binCount, classCount: classCount, seed: seed, rows: rows)
                result = WeightingResult(indices: kept, weights: kept.map { weights[$0] }, zeroTargetBins: [])
            }
        }
        if balanceClasses {
            result.weights = try ClassWeighting.balanced(
                weights: result.weights, labels: result.indices.map { labels[$0] }, classCount: classCount,
                total: classTotal, rows: result.indices.map { rows.count == labels.count ? rows[$0] : $0 })
        }
        return result
    }
}
