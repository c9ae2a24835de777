import Testing

/// Central finite differences of a scalar function: (f(x + h e_i) - f(x - h e_i)) / (2h) for every i.
///
/// `f` should return a Double built from the Float32 computation (for example a random projection of a
/// layer's output accumulated in Double), so the difference quotient is not dominated by rounding.
public func centralDifferences(at x: [Float], step: Float, _ f: ([Float]) -> Double) -> [Float] {
    var shifted = x
    var gradient = [Float](repeating: 0, count: x.count)
    for i in x.indices {
        shifted[i] = x[i] + step
        let plus = f(shifted)
        shifted[i] = x[i] - step
        let minus = f(shifted)
        shifted[i] = x[i]
        // The step actually taken in Float32, not the nominal one.
        let taken = Double(x[i] + step) - Double(x[i] - step)
        gradient[i] = Float((plus - minus) / taken)
    }
    return gradient
}

/// Checks an analytic gradient of `f` at `x` against central finite differences.
///
/// - Parameters:
///   - analytic: d f / d x computed by the code under test, same count as `x`.
///   - step: finite-difference step h (1e-2..1e-3 for Float32 on well-conditioned inputs).
public func checkGradient(
    _ label: String, analytic: [Float], at x: [Float], step: Float = 1e-2,
    tolerance: Tolerance = .finiteDifference, sourceLocation: SourceLocation = #_sourceLocation,
    _ f: ([Float]) -> Double
) {
    let numeric = centralDifferences(at: x, step: step, f)
    expectClose(analytic, numeric, tolerance: tolerance, label + " (analytic vs finite differences)", sourceLocation: sourceLocation)
}

/// sum_i projection[i] * values[i] in Double: the scalar whose gradient w.r.t. `values` is `projection`.
public func project(_ values: [Float], onto projection: [Float]) -> Double {
    precondition(values.count == projection.count, "project: \(values.count) values, \(projection.count) weights")
    var sum = 0.0
    for i in values.indices { sum += Double(values[i]) * Double(projection[i]) }
    return sum
}
