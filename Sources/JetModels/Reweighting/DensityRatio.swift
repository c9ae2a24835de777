/// Turns classifier outputs into new event weights (DCTR, arXiv:1907.08209): a classifier trained to separate
/// source (label 0) from target (label 1), each class's weight sum normalised to the same total, outputs
/// f(x) ~ p_T(x) / (p_S(x) + p_T(x)), so r(x) = f / (1 - f) estimates the density ratio p_T / p_S of the
/// normalised distributions, and
///
///     new weight = old weight * r(x) * normalization,
///
/// `normalization` makes the reweighted source's total equal the target's: target weight sum over sum_i w_i r(x_i)
/// on the training jets (``ReweightingRun`` computes it; equal to target sum / source sum for a perfectly
/// calibrated classifier, and it absorbs constants from class balancing or training-weight flattening).
/// f is first calibrated (``LogitCalibration``, when fitted), then clipped to [epsilon, 1 - epsilon] before the ratio, and r capped at `cap` when one is set; both are
/// counted in ``Counts``.
public struct DensityRatio: Codable, Sendable, Equatable {
    /// f is clipped to [epsilon, 1 - epsilon] (so r lies in [epsilon / (1 - epsilon), (1 - epsilon) / epsilon]).
    public var epsilon: Float
    /// Upper bound on r; nil for none.
    public var cap: Float?
    /// The factor giving the reweighted source the target's total.
    public var normalization: Double
    /// Applied to f before clipping (identity when not calibrated).
    public var calibration: LogitCalibration

    /// What the clipping and the cap changed.
    public struct Counts: Codable, Sendable, Equatable {
        public var jets = 0
        /// Jets with f < epsilon.
        public var clippedLow = 0
        /// Jets with f > 1 - epsilon.
        public var clippedHigh = 0
        /// Jets whose ratio exceeded the cap.
        public var capped = 0

        public init() {}

        public mutating func add(_ other: Counts) {
            jets += other.jets
            clippedLow += other.clippedLow
            clippedHigh += other.clippedHigh
            capped += other.capped
        }

        private enum CodingKeys: String, CodingKey {
            case jets, clippedLow = "clipped_low", clippedHigh = "clipped_high", capped
        }
    }

    public init(epsilon: Float = 1e-6, cap: Float? = nil, normalization: Double = 1, calibration: LogitCalibration = .identity) {
        precondition(epsilon > 0 && epsilon < 0.5, "DensityRatio: epsilon must lie in (0, 0.5), got \(epsilon)")
        self.epsilon = epsilon
        self.cap = cap
        self.normalization = normalization
        self.calibration = calibration
    }

    /// r = f / (1 - f) with f calibrated, clipped and r capped; `counts` records clipping and capping.
    @inline(__always)
    public func ratio(_ raw: Float, counts: inout Counts) -> Float {
        counts.jets += 1
        let f = calibration == .identity ? raw : calibration(raw)
        var clipped = f
        if !(f >= epsilon) {
            clipped = epsilon
            counts.clippedLow += 1
        } else if f > 1 - epsilon {
            clipped = 1 - epsilon
            counts.clippedHigh += 1
        }
        let r = clipped / (1 - clipped)
        if let cap, r > cap {
            counts.capped += 1
            return cap
        }
        return r
    }

    /// New weights [B] for old weights [B] and target probabilities f [B].
    public func weights(old: [Float], scores: [Float], counts: inout Counts) -> [Float] {
        precondition(old.count == scores.count, "DensityRatio: \(old.count) weights, \(scores.count) scores")
        let scale = Float(normalization)
        return zip(old, scores).map { w, f in w * ratio(f, counts: &counts) * scale }
    }

    private enum CodingKeys: String, CodingKey { case epsilon, cap, normalization, calibration }

    /// Reads what ``encode(to:)`` writes; `calibration` may be absent (identity).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            epsilon: try c.decode(Float.self, forKey: .epsilon), cap: try c.decodeIfPresent(Float.self, forKey: .cap),
            normalization: try c.decode(Double.self, forKey: .normalization),
            calibration: try c.decodeIfPresent(LogitCalibration.self, forKey: .calibration) ?? .identity)
    }
}
