import Foundation

/// A seeded, deterministic random number generator (xoshiro256**, state expanded from the seed by
/// SplitMix64). A value type: copying it copies the stream position, so two copies draw the same numbers.
///
/// Every random choice in JetTag (resampling, initialisation, dropout, shuffling) takes one of these, so a
/// run is reproducible from its seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable, Codable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64
    /// The second Box-Muller normal of the last pair, drawn next.
    private var spareNormal: Float?

    /// A generator whose stream is fixed by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= SplitMix64.increment
            return SplitMix64.mixed(splitMix)
        }
        s0 = nextSplitMix()
        s1 = nextSplitMix()
        s2 = nextSplitMix()
        s3 = nextSplitMix()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// Uniform in [0, 1), 24 random bits.
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Standard normal (mean 0, variance 1), Box-Muller.
    public mutating func nextNormal() -> Float {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        // u1 in (0, 1] so the logarithm is finite.
        let u1 = (Double(next() >> 11) + 1) * 0x1p-53
        let u2 = Double(next() >> 11) * 0x1p-53
        let radius = (-2 * log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spareNormal = Float(radius * sin(angle))
        return Float(radius * cos(angle))
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform integer in 0..<bound (Lemire's multiply-high; bias below bound / 2^64).
    public mutating func nextIndex(below bound: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    private enum CodingKeys: String, CodingKey { case state, spareNormal = "spare_normal" }

    /// Coded as the four state words in hexadecimal (exact whatever reads the JSON) and the pending normal, so
    /// a checkpoint continues the stream where it stopped.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode([s0, s1, s2, s3].map { String($0, radix: 16) }, forKey: .state)
        try container.encodeIfPresent(spareNormal, forKey: .spareNormal)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let words = try container.decode([String].self, forKey: .state).compactMap { UInt64($0, radix: 16) }
        guard words.count == 4 else {
            throw DecodingError.dataCorruptedError(
                forKey: .state, in: container, debugDescription: "expected four hexadecimal state words")
        }
        (s0, s1, s2, s3) = (words[0], words[1], words[2], words[3])
        spareNormal = try container.decodeIfPresent(Float.self, forKey: .spareNormal)
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
