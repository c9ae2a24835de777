import CJetKernels
import Foundation

/// JetTag's own kernels for the dense products whose inner dimension is small: a per-constituent network's first
/// layer (7-16 inputs) and a first Conv1D's im2col product (3 x 7 = 21), which every BLAS runs far below its peak.
///
/// For `inputCount` <= ``maximumInputCount`` Dense, DenseStack and Conv1D compute the forward product (with bias
/// and a fused ReLU), the weight and bias gradients (with the ReLU mask) and the input gradient with these
/// kernels instead of sgemm: SIMD over the output channels with the inputs broadcast (over the inputs for the
/// input gradient). The kernels are compiled for SSE2, AVX2 + FMA and AVX-512F with per-function target
/// attributes, so the plain `swift build -c release` has them all; the process takes the widest its CPU has
/// (CPUID, see ``CPUFeatures``). Their sums run in a fixed order, so the layers stay deterministic for any
/// thread count; their bits differ from sgemm's (and between instruction sets) by rounding only.
///
/// `JETTAG_SMALL_K=off` computes these products with BLAS; `JETTAG_SMALL_K=auto` (the default) with the kernels.
public enum SmallKKernels {
    public static let variable = "JETTAG_SMALL_K"
    public static let modes = ["auto", "off"]
    /// The largest inner dimension (input count) the kernels take.
    public static let maximumInputCount = Int(JT_SMALLK_MAX_K)

    /// How the small-K products are computed: with BLAS, or with the kernels for one instruction set.
    public enum Path: String, CaseIterable, Sendable {
        case blas, sse2, avx2, avx512

        /// In words, for `jettag doctor`.
        public var description: String {
            switch self {
            case .blas: "BLAS (sgemm)"
            case .sse2: "JetTag's SSE2 kernels"
            case .avx2: "JetTag's AVX2 + FMA kernels"
            case .avx512: "JetTag's AVX-512F kernels"
            }
        }

        var isa: Int32? {
            switch self {
            case .blas: nil
            case .sse2: Int32(JT_SMALLK_SSE2.rawValue)
            case .avx2: Int32(JT_SMALLK_AVX2.rawValue)
            case .avx512: Int32(JT_SMALLK_AVX512.rawValue)
            }
        }
    }

    /// The kernels `cpu` can run, widest first (empty off x86-64).
    public static func supportedPaths(on cpu: CPUFeatures) -> [Path] {
        guard jt_smallk_available(Int32(JT_SMALLK_SSE2.rawValue)) != 0 else { return [] }
        var paths: [Path] = [.sse2]
        if cpu.hasAVX2FMA { paths.insert(.avx2, at: 0) }
        if cpu.extensions.contains(.avx512f) { paths.insert(.avx512, at: 0) }
        return paths
    }

    /// The path for `cpu` under `environment`'s `JETTAG_SMALL_K`: the widest kernels, or BLAS when it says off (or
    /// no kernels were compiled for this CPU).
    ///
    /// - Throws: ``JetNNError/invalidEnvironmentValue(variable:value:allowed:)`` for a value other than auto or off.
    public static func path(
        cpu: CPUFeatures, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(JetNNError) -> Path {
        let mode = environment[variable] ?? "auto"
        guard modes.contains(mode) else { throw .invalidEnvironmentValue(variable: variable, value: mode, allowed: modes) }
        return mode == "off" ? .blas : supportedPaths(on: cpu).first ?? .blas
    }

    /// This process's path (an invalid `JETTAG_SMALL_K` is reported at start-up by ``BLASStartup/run()``; here it
    /// counts as auto).
    public static let selected: Path = (try? path(cpu: .current))
        ?? (try? path(cpu: .current, environment: [:])) ?? .blas

    /// With a ReLU, the backward kernels take at most this many inputs: beyond it the masked gradient is reread
    /// per block of inputs, and BLAS measured faster (`jettag-bench smallk`, 16 -> 128: 0.75x).
    static let maximumReLUBackwardInputCount = 8

    /// Whether the backward of a product of `inputCount` inputs followed by `activation` runs on the kernels of
    /// `path` (the forward does for any `inputCount` <= ``maximumInputCount``).
    static func takesBackward(_ path: Path, inputCount: Int, activation: ActivationFunction?) -> Bool {
        path != .blas && inputCount <= (activation == .relu ? maximumReLUBackwardInputCount : maximumInputCount)
    }

    /// Runs `body` with the layers it calls on this task taking `path` instead of ``selected`` (the tests force
    /// each instruction set this way, the benchmark alternates the kernels with BLAS). `path` must be one of
    /// ``supportedPaths(on:)`` for this CPU, or BLAS. A layer reads the path on its calling thread, before it
    /// shares its rows out, so `body` must call the layers directly (not from inside a
    /// ``ComputeThreads/forEachTask(_:makeWorker:_:)`` task).
    public static func withPath<Result>(_ path: Path, _ body: () throws -> Result) rethrows -> Result {
        precondition(
            path == .blas || supportedPaths(on: .current).contains(path),
            "SmallKKernels: this CPU cannot run the \(path) kernels")
        return try $forced.withValue(path, operation: body)
    }

    @TaskLocal private static var forced: Path?

    /// The path the layers take now.
    static var current: Path { forced ?? selected }
}
