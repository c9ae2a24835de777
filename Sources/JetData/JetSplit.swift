import JetCore

/// Which jets of a stream belong to one part of a train / validation / test split.
public enum JetSplit: Sendable, Equatable, Codable {
    /// ATLAS fold convention: keeps jets whose `event_number % modulus` (taken non-negative) is in `folds`.
    /// The two jets of one event always land in the same fold.
    case eventNumber(modulus: Int, folds: [Int])
    /// Keeps jets whose pseudo-random number u in [0, 1), fixed by `seed`, the file's position in the
    /// stream and the row, satisfies `lower <= u < upper`. Splits with the same seed and disjoint
    /// ranges are disjoint, and together cover the stream when the ranges do.
    case fraction(seed: UInt64, lower: Double, upper: Double)

    /// Whether the jet with this event number, row and file position belongs to the split.
    public func contains(eventNumber: Int64, row: Int, fileIndex: Int) -> Bool {
        switch self {
        case .eventNumber(let modulus, let folds):
            return folds.contains(Self.fold(of: eventNumber, modulus: modulus))
        case .fraction(let seed, let lower, let upper):
            let u = Self.uniform(seed: seed, row: row, fileIndex: fileIndex)
            return u >= lower && u < upper
        }
    }

    /// Whether jet `index` of `batch` belongs to the split; `fileOffset` is the position of the batch's first file
    /// in the file list the split is drawn over (``JetReadOptions/splitFileOffset``).
    public func contains(_ index: Int, of batch: JetBatch, fileOffset: Int = 0) -> Bool {
        contains(eventNumber: batch.eventNumbers[index], row: batch.rows[index], fileIndex: fileOffset + batch.fileIndices[index])
    }

    /// The ATLAS fold of an event: `eventNumber % modulus` taken non-negative, in 0..<modulus also for negative
    /// event numbers (modulus > 0).
    public static func fold(of eventNumber: Int64, modulus: Int) -> Int {
        let modulus = Int64(modulus)
        return Int(((eventNumber % modulus) + modulus) % modulus)
    }

    /// Throws `invalidOption` for a modulus below 2, folds outside it, or a range outside [0, 1].
    public func validate() throws {
        switch self {
        case .eventNumber(let modulus, let folds):
            guard modulus >= 2, folds.allSatisfy({ (0..<modulus).contains($0) }) else {
                throw JetDataError.invalidOption("split by event number: modulus \(modulus) must be >= 2 and folds \(folds) in 0..<\(modulus)")
            }
        case .fraction(_, let lower, let upper):
            guard lower >= 0, upper <= 1, lower <= upper else {
                throw JetDataError.invalidOption("split by fraction: range \(lower)..<\(upper) must lie in [0, 1]")
            }
        }
    }

    /// splitmix64 of (seed, file, row) mapped to [0, 1).
    static func uniform(seed: UInt64, row: Int, fileIndex: Int) -> Double {
        let state = SplitMix64.mixed(
            seed &+ UInt64(truncatingIfNeeded: fileIndex) &* SplitMix64.increment
                &+ UInt64(truncatingIfNeeded: row) &* 0xBF58_476D_1CE4_E5B9)
        return Double(state >> 11) / Double(1 << 53)
    }
}
