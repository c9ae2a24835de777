import JetCore
import JetNN

/// Monte-Carlo dropout at inference (Gal and Ghahramani, arXiv:1506.02142): every jet is forwarded `passes`
/// times with the dropout layers on and BatchNorm on its running statistics; the passes' probabilities give a
/// mean and a standard deviation per class.
///
/// The mask of a jet in a pass comes from its own stream, fixed by (`seed`, member model, the jet's row in the
/// scored inputs, pass), so the numbers do not depend on the batch size, the thread count or the shard.
public struct MonteCarloDropout: Sendable, Equatable {
    /// Stochastic forward passes per jet (at least 1).
    public var passes: Int
    public var seed: UInt64

    /// - Throws: ``JetModelsError/invalidPassCount(_:)`` when `passes` < 1.
    public init(passes: Int, seed: UInt64) throws(JetModelsError) {
        guard passes >= 1 else { throw .invalidPassCount(passes) }
        (self.passes, self.seed) = (passes, seed)
    }

    /// The mask stream of the jet at `row` of the scored inputs in `pass` of member model `member`.
    public func stream(member: Int, row: Int64, pass: Int) -> SeededGenerator {
        var key = seed
        for word in [UInt64(member), UInt64(bitPattern: row), UInt64(pass)] { key = Self.mix(key ^ Self.mix(word)) }
        return SeededGenerator(seed: key)
    }

    /// SplitMix64's finaliser: a bijection of 64-bit words that spreads every input bit over the output.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
