import CBLAS
import Foundation

/// Which OpenBLAS kernels this process should run, decided from the CPU and the kernels OpenBLAS selected.
///
/// OpenBLAS built with DYNAMIC_ARCH (Debian's) picks its kernels by CPU model number when it loads; on a model it
/// does not know (a new Xeon for Debian 12's 0.3.21) it falls back to generic SSE3 kernels ("Prescott") at a
/// fifth of the speed. The variable `OPENBLAS_CORETYPE`, read when the library loads, selects other kernels, so
/// the fix is to run the program again with it set: ``decide(cpu:selectedCore:environment:)`` says whether to
/// and why, the caller re-executes.
///
/// - `JETTAG_BLAS=auto` (the default): re-execute with the best core for the CPU when OpenBLAS runs a weaker one.
///   An `OPENBLAS_CORETYPE` the user set is kept unless it selects a generic (SSE) core on a CPU with AVX2 or
///   AVX-512, the way a kernel is forced by mistake (or a test simulates an unknown CPU).
/// - `JETTAG_BLAS=keep`: never re-execute; whatever OpenBLAS runs is kept.
/// - `JETTAG_BLAS_REEXEC` marks the re-executed process (its value is the reason), so it never loops.
public enum BLASKernelSelection {
    public static let modeVariable = "JETTAG_BLAS"
    public static let markerVariable = "JETTAG_BLAS_REEXEC"
    public static let coreTypeVariable = "OPENBLAS_CORETYPE"
    public static let modes = ["auto", "keep"]

    /// What JetTag does about the OpenBLAS kernels at start-up.
    public enum Decision: Equatable, Sendable {
        /// Run on with the kernels OpenBLAS selected.
        case keep(reason: String)
        /// Run the program again with `OPENBLAS_CORETYPE=coreType`.
        case reexecute(coreType: String, reason: String)
        /// This process is the re-executed one; `reason` says what happened.
        case reexecuted(reason: String)

        public var reason: String {
            switch self {
            case .keep(let reason), .reexecute(_, let reason), .reexecuted(let reason): reason
            }
        }
    }

    /// The kernel families of OpenBLAS's cores by the widest vector instructions they use, for single-precision
    /// products; cores of one tier run sgemm equally fast.
    public enum Tier: Int, Comparable, Sendable {
        case generic, avx, avx2, avx512

        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

        var description: String {
            switch self {
            case .generic: "a generic (SSE) kernel"
            case .avx: "an AVX kernel without FMA"
            case .avx2: "an AVX2 kernel"
            case .avx512: "an AVX-512 kernel"
            }
        }
    }

    /// The tier of an OpenBLAS core name (as `openblas_get_corename()` returns it, any case); nil for a name
    /// JetNN does not know.
    public static func tier(ofCore name: String) -> Tier? {
        switch name.lowercased() {
        case "unknown", "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn",
            "dunnington", "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "nano", "bobcat":
            .generic
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator": .avx
        case "haswell", "zen": .avx2
        case "skylakex", "cooperlake", "sapphirerapids": .avx512
        default: nil
        }
    }

    /// The best OpenBLAS core for `cpu` (nil when it has not even AVX): Cooperlake for AVX-512 with AVX512_BF16,
    /// SkylakeX for AVX-512 F/BW/DQ/VL, Zen (AMD) or Haswell for AVX2 with FMA, Sandybridge for AVX.
    public static func bestCore(for cpu: CPUFeatures) -> (name: String, tier: Tier)? {
        if cpu.hasAVX512 { return (cpu.extensions.contains(.avx512bf16) ? "Cooperlake" : "SkylakeX", .avx512) }
        if cpu.hasAVX2FMA { return (cpu.isAMD ? "Zen" : "Haswell", .avx2) }
        if cpu.extensions.contains(.avx) { return ("Sandybridge", .avx) }
        return nil
    }

    /// The vector extensions of `cpu` that its best core uses, in words.
    static func widestExtensions(of cpu: CPUFeatures) -> String {
        if cpu.hasAVX512 {
            return "AVX-512 (F, BW, DQ, VL)" + (cpu.extensions.contains(.avx512bf16) ? " with AVX512_BF16" : "")
        }
        return cpu.hasAVX2FMA ? "AVX2 and FMA" : "AVX"
    }

    /// Decides, from the CPU, the core OpenBLAS runs (`openblas_get_corename()`) and the environment, whether to
    /// keep the kernels or re-execute with other ones.
    ///
    /// - Throws: ``JetNNError/invalidEnvironmentValue(variable:value:allowed:)`` for a `JETTAG_BLAS` other than
    ///   auto or keep.
    public static func decide(
        cpu: CPUFeatures, selectedCore: String, environment: [String: String]
    ) throws(JetNNError) -> Decision {
        if let marker = environment[markerVariable] {
            var reason = "re-executed with \(coreTypeVariable)=\(environment[coreTypeVariable] ?? ""): \(marker)"
            if let best = bestCore(for: cpu), let tier = tier(ofCore: selectedCore), tier < best.tier {
                reason += "; but OpenBLAS still runs \(selectedCore): this OpenBLAS has no \(best.name) kernels"
            }
            return .reexecuted(reason: reason)
        }
        let mode = environment[modeVariable] ?? "auto"
        guard modes.contains(mode) else {
            throw .invalidEnvironmentValue(variable: modeVariable, value: mode, allowed: modes)
        }
        let userCore = environment[coreTypeVariable].flatMap { $0.isEmpty ? nil : $0 }
        let setting = userCore.map { "\(coreTypeVariable)=\($0)" }
        guard let selectedTier = tier(ofCore: selectedCore) else {
            return .keep(reason: "OpenBLAS runs \(selectedCore), a core JetTag does not know")
        }
        guard let best = bestCore(for: cpu), selectedTier < best.tier else {
            if let setting { return .keep(reason: "\(setting) was set by the user (OpenBLAS runs \(selectedCore))") }
            return .keep(reason: "OpenBLAS chose \(selectedCore), \(selectedTier.description), the best for this CPU")
        }
        let better = "this CPU could run \(best.name) (it has \(widestExtensions(of: cpu)))"
        if mode == "keep" {
            return .keep(reason: "\(modeVariable)=keep keeps \(selectedCore) (\(setting ?? "OpenBLAS's own choice")), "
                + "although \(better)")
        }
        if let setting, selectedTier > .generic {
            return .keep(reason: "\(setting) was set by the user, although \(better)")
        }
        return .reexecute(
            coreType: best.name,
            reason: "\(setting.map { "the user's \($0) selects" } ?? "OpenBLAS chose") \(selectedCore), "
                + "\(selectedTier.description), and this CPU has \(widestExtensions(of: cpu))")
    }
}

/// The OpenBLAS library this process runs on.
public enum BLASLibrary {
    /// The core whose kernels OpenBLAS selected when it loaded, e.g. "Cooperlake" or "Prescott".
    public static var coreName: String { String(cString: openblas_get_corename()) }
    /// The build configuration, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64".
    public static var configuration: String {
        String(cString: openblas_get_config()).trimmingCharacters(in: .whitespaces)
    }
}
