// Small vector kernels with explicit SIMD accumulators (Swift does not vectorise float reductions itself).

/// sum_i a[i] * b[i] with SIMD8 accumulators.
@inline(__always)
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var accumulator = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        accumulator += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
            * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
        i += 8
    }
    var sum = accumulator.sum()
    while i < count {
        sum += a[i] * b[i]
        i += 1
    }
    return sum
}

/// sum_i a[i] with SIMD8 accumulators.
@inline(__always)
func sum(_ a: UnsafePointer<Float>, count: Int) -> Float {
    var accumulator = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        accumulator += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
        i += 8
    }
    var total = accumulator.sum()
    while i < count {
        total += a[i]
        i += 1
    }
    return total
}

/// out[i] = a[i] + b[i] (out may be a).
func addElementwise(_ out: UnsafeMutablePointer<Float>?, _ a: UnsafePointer<Float>?, _ b: UnsafePointer<Float>?, count: Int) {
    guard count > 0, let out, let a, let b else { return }
    for i in 0..<count { out[i] = a[i] + b[i] }
}

/// out[i] = a[i] * b[i].
func multiplyElementwise(_ out: UnsafeMutablePointer<Float>?, _ a: UnsafePointer<Float>?, _ b: UnsafePointer<Float>?, count: Int) {
    guard count > 0, let out, let a, let b else { return }
    for i in 0..<count { out[i] = a[i] * b[i] }
}
