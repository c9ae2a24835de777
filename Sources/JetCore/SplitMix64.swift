/// SplitMix64 (Steele, Lea and Flood 2014): the step and finaliser JetTag hashes seeds, rows and event numbers with.
public enum SplitMix64 {
    /// The golden-ratio increment of one step.
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The finaliser: a bijection of the 64-bit values whose outputs look independent for consecutive inputs.
    @inlinable
    public static func mixed(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
