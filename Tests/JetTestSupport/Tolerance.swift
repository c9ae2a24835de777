import Testing

/// A combined tolerance: |a - b| <= absolute + relative * max(|a|, |b|).
public struct Tolerance: Sendable, CustomStringConvertible {
    public var absolute: Double
    public var relative: Double

    public init(absolute: Double, relative: Double) {
        self.absolute = absolute
        self.relative = relative
    }

    /// Float32 results of the same computation done in another order (BLAS vs loops): abs 1e-6, rel 1e-4.
    public static let float32 = Tolerance(absolute: 1e-6, relative: 1e-4)
    /// Float32 analytic gradients against central finite differences with a step of 1e-2..1e-3 on a Double
    /// scalar: abs 5e-4, rel 2e-3 (the Double-projected difference quotient is good to about 1e-4 there). A wrong index
    /// or a missing term gives O(1) relative errors; a 1% scale error already fails.
    public static let finiteDifference = Tolerance(absolute: 5e-4, relative: 2e-3)
    /// Hand-computed closed forms evaluated in Float32: abs 1e-6, rel 1e-5.
    public static let closedForm = Tolerance(absolute: 1e-6, relative: 1e-5)

    /// Whether `a` and `b` agree within this tolerance.
    public func accepts(_ a: Double, _ b: Double) -> Bool {
        abs(a - b) <= absolute + relative * max(abs(a), abs(b))
    }

    public var description: String { "abs \(absolute) + rel \(relative)" }
}

/// Records an issue when `actual` and `expected` differ beyond `tolerance`: the label, how many elements
/// differ, the first five differing pairs and the largest absolute difference.
public func expectClose(
    _ actual: [Float], _ expected: [Float], tolerance: Tolerance = .float32, _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.count == expected.count else {
        Issue.record("\(label): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    var failures: [String] = []
    var failureCount = 0
    var maxDifference = 0.0
    for i in actual.indices {
        let a = Double(actual[i])
        let e = Double(expected[i])
        let difference = abs(a - e)
        if difference.isNaN || difference > maxDifference { maxDifference = difference }
        if !tolerance.accepts(a, e) || a.isNaN != e.isNaN {
            failureCount += 1
            if failures.count < 5 { failures.append("[\(i)] got \(actual[i]), expected \(expected[i])") }
        }
    }
    if failureCount > 0 {
        let summary = "\(label): \(failureCount) of \(actual.count) values differ beyond \(tolerance), max |diff| \(maxDifference)"
        Issue.record("\(summary): \(failures.joined(separator: "; "))", sourceLocation: sourceLocation)
    }
}

/// Scalar form of ``expectClose(_:_:tolerance:_:sourceLocation:)``.
public func expectClose(
    _ actual: Float, _ expected: Float, tolerance: Tolerance = .float32, _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    expectClose([actual], [expected], tolerance: tolerance, label, sourceLocation: sourceLocation)
}
