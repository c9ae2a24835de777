// Checks shared by every metric that takes per-jet arrays; `package` where the saliency computation
// (JetSaliency) runs them too.

/// Throws unless `count` equals `expected`.
package func checkLength(_ array: String, count: Int, expected: Int) throws(JetMetricsError) {
    guard count == expected else { throw .lengthMismatch(array: array, expected: expected, got: count) }
}

/// Throws at the first NaN or infinite entry of `values`.
package func checkFinite(_ array: String, _ values: [Float]) throws(JetMetricsError) {
    for (i, v) in values.enumerated() where !v.isFinite {
        throw .nonFiniteValue(array: array, index: i, value: Double(v))
    }
}

/// Throws if `weights` is present with the wrong length or a non-finite entry.
func checkWeights(_ weights: [Float]?, expected: Int) throws(JetMetricsError) {
    guard let weights else { return }
    try checkLength("weights", count: weights.count, expected: expected)
    try checkFinite("weights", weights)
}
