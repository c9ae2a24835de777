import CJetKernels

/// The instruction set of the vector-math kernels (CJetKernels' `jt_gelu_forward`, `jt_gelu_backward`,
/// `jt_softmax`): GELU and softmax SIMD over the values, with polynomial exp (within 1e-7 relative) and erf (within
/// 4e-7 absolute) in place of the per-element libm calls. AVX2 + FMA when the CPU has both, else SSE2 on x86-64,
/// else portable C: the bits differ between them by rounding only, never with the thread count.
enum VectorMath {
    /// The instruction sets this process can run, widest first (`JTSmallKISA` values, 0 for portable C).
    static let supportedISAs: [Int32] = {
        var isas: [Int32] = [0]
        guard jt_smallk_available(Int32(JT_SMALLK_SSE2.rawValue)) != 0 else { return isas }
        isas.insert(Int32(JT_SMALLK_SSE2.rawValue), at: 0)
        if CPUFeatures.current.hasAVX2FMA { isas.insert(Int32(JT_SMALLK_AVX2.rawValue), at: 0) }
        return isas
    }()

    /// The instruction set the layers use.
    static let isa = supportedISAs[0]
}
