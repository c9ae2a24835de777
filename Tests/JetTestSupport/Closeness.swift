import Testing

/// Named tolerances for the Double forms of `expectClose`, relative to max(1, |expected|).
public enum DoubleTolerance {
    /// Hand-computed values: only rounding of a few operations.
    public static let exact = 1e-12
    /// scikit-learn / numpy references: sums of a few hundred float32 weights accumulated in another order.
    public static let reference = 1e-9
    /// Values that pass through Float32.
    public static let float32 = 1e-6
}

/// Expects |got - expected| <= tolerance * max(1, |expected|); infinities and NaNs must match exactly.
public func expectClose(
    _ got: Double, _ expected: Double, tolerance: Double = DoubleTolerance.exact, _ label: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if !expected.isFinite || !got.isFinite {
        #expect(got == expected || (got.isNaN && expected.isNaN),
                "\(label): expected \(expected), got \(got)", sourceLocation: sourceLocation)
        return
    }
    let delta = abs(got - expected)
    #expect(delta <= tolerance * max(1, abs(expected)),
            "\(label): expected \(expected), got \(got), delta \(delta)", sourceLocation: sourceLocation)
}

/// Element-wise ``expectClose`` with equal lengths; reports the first mismatching index.
public func expectClose(
    _ got: [Double], _ expected: [Double], tolerance: Double = DoubleTolerance.exact, _ label: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(got.count == expected.count, "\(label): \(got.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
    guard got.count == expected.count else { return }
    let mismatch = got.indices.first { i in
        let (g, e) = (got[i], expected[i])
        if !e.isFinite || !g.isFinite { return !(g == e || (g.isNaN && e.isNaN)) }
        return abs(g - e) > tolerance * max(1, abs(e))
    }
    if let i = mismatch {
        Issue.record("\(label)[\(i)]: expected \(expected[i]), got \(got[i]) (\(got.count) values)",
                     sourceLocation: sourceLocation)
    }
}
