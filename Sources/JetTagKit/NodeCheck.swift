import Foundation
import JetNN

/// What `jettag doctor` reports about a node: the BLAS and the kernels it runs, what the start-up check did about
/// them, the CPU's vector extensions, and a measured one-thread sgemm rate against an estimate of the CPU's peak.
public struct NodeCheck: Codable, Equatable, Sendable {
    public struct BLAS: Codable, Equatable, Sendable {
        /// `openblas_get_config()`.
        public var library: String
        /// The core whose kernels run (`openblas_get_corename()`) and its tier ("generic", "avx", "avx2", "avx512").
        public var coreInUse: String
        public var coreTier: String?
        /// The best OpenBLAS core for this CPU (nil without AVX).
        public var bestCoreForCPU: String?
        /// `OPENBLAS_CORETYPE` in this process (set by the user, or by the re-execution) and `JETTAG_BLAS`.
        public var coreTypeSetting: String?
        public var mode: String
        /// "kept", "re-executed", or "not re-executed" (a re-execution was due but failed).
        public var selection: String
        public var reason: String
    }

    public struct CPU: Codable, Equatable, Sendable {
        public var vendor: String
        public var modelName: String
        public var family: Int
        public var model: Int
        public var vectorExtensions: [String]
        /// The first "cpu MHz" of /proc/cpuinfo (nil where there is none).
        public var clockMHz: Double?
    }

    public struct Sgemm: Codable, Equatable, Sendable {
        public var size: Int
        public var products: Int
        public var seconds: Double
        public var gflops: Double
        /// Peak single-precision FLOPs per cycle of one core for its widest vector extension (an estimate).
        public var flopsPerCycle: Int
        /// flopsPerCycle x clockMHz: what one thread should reach (nil without a clock).
        public var expectedGflops: Double?
        /// How the estimate was made, in words.
        public var estimate: String
    }

    /// The kernels of the small-K products (Dense and Conv1D with <= 24 inputs, see ``JetNN/SmallKKernels``).
    public struct SmallK: Codable, Equatable, Sendable {
        /// "blas", "sse2", "avx2" or "avx512", and in words.
        public var path: String
        public var description: String
        /// `JETTAG_SMALL_K` ("auto" when not set).
        public var mode: String
    }

    public var blas: BLAS
    public var smallK: SmallK
    public var cpu: CPU
    public var sgemm: Sgemm

    /// Checks this node: measures sgemm for `seconds` on `size` x `size` matrices.
    ///
    /// - Throws: ``JetNNError/invalidEnvironmentValue(variable:value:allowed:)`` for a bad `JETTAG_BLAS` or
    ///   `JETTAG_SMALL_K`.
    public static func run(seconds: Double = 2, size: Int = 1024) throws(JetNNError) -> NodeCheck {
        let environment = ProcessInfo.processInfo.environment
        let features = CPUFeatures.current
        let decision = try BLASStartup.decision(environment: environment)
        let smallK = try SmallKKernels.path(cpu: features, environment: environment)
        let selection: String
        let reason: String
        switch decision {
        case .keep(let why): (selection, reason) = ("kept", why)
        case .reexecuted(let why): (selection, reason) = ("re-executed", why)
        case .reexecute(let core, let why):
            (selection, reason) = ("not re-executed", "re-execution with OPENBLAS_CORETYPE=\(core) was due but failed: \(why)")
        }
        let core = BLASLibrary.coreName
        let clock = cpuClockMHz(cpuinfo: (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "")
        let rate = SgemmRate.measure(size: size, seconds: seconds)
        let (flopsPerCycle, basis) = peakFlopsPerCycle(features)
        return NodeCheck(
            blas: BLAS(
                library: BLASLibrary.configuration, coreInUse: core,
                coreTier: BLASKernelSelection.tier(ofCore: core).map { "\($0)" },
                bestCoreForCPU: BLASKernelSelection.bestCore(for: features)?.name,
                coreTypeSetting: environment[BLASKernelSelection.coreTypeVariable],
                mode: environment[BLASKernelSelection.modeVariable] ?? "auto", selection: selection, reason: reason),
            smallK: SmallK(
                path: smallK.rawValue, description: smallK.description,
                mode: environment[SmallKKernels.variable] ?? "auto"),
            cpu: CPU(
                vendor: features.vendor, modelName: features.modelName, family: features.family, model: features.model,
                vectorExtensions: features.extensions.sorted().map(\.rawValue), clockMHz: clock),
            sgemm: Sgemm(
                size: rate.size, products: rate.products, seconds: rate.seconds, gflops: rate.gflops,
                flopsPerCycle: flopsPerCycle, expectedGflops: clock.map { Double(flopsPerCycle) * $0 / 1000 },
                estimate: "\(flopsPerCycle) single-precision FLOPs per cycle (\(basis)) x the clock of /proc/cpuinfo "
                    + "'cpu MHz'; an estimate: turbo clocks run faster, and some CPUs have fewer FMA units"))
    }

    /// The first "cpu MHz" value of /proc/cpuinfo text.
    static func cpuClockMHz(cpuinfo: String) -> Double? {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("cpu MHz") {
            guard let value = line.split(separator: ":").last else { continue }
            return Double(value.trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// Peak single-precision FLOPs per cycle of one core, from its widest vector extension, and why: two FMA units
    /// of the vector width (16 x 2 x 2 for AVX-512, 8 x 2 x 2 for AVX2), except on AMD family 25 (Zen 3 and 4),
    /// whose AVX-512 runs on 256-bit units; AVX without FMA: one 8-wide add and one multiply; SSE: 4-wide ones.
    static func peakFlopsPerCycle(_ cpu: CPUFeatures) -> (Int, String) {
        if cpu.hasAVX512 {
            if cpu.isAMD && cpu.family <= 25 { return (32, "AVX-512 on two 256-bit FMA units, AMD family 25") }
            return (64, "AVX-512, two 512-bit FMA units")
        }
        if cpu.hasAVX2FMA { return (32, "AVX2, two 256-bit FMA units") }
        if cpu.extensions.contains(.avx) { return (16, "AVX, one 256-bit add and one multiply") }
        return (8, "SSE, one 128-bit add and one multiply")
    }

    /// The report as `jettag doctor` prints it.
    public var text: String {
        let clock = cpu.clockMHz.map { String(format: ", %.0f MHz", $0) } ?? ""
        var expected = "no clock in /proc/cpuinfo to estimate the peak from"
        if let peak = sgemm.expectedGflops {
            expected = String(format: "expected about %.1f GFLOP/s (%.0f%% of it reached); ", peak, 100 * sgemm.gflops / peak)
                + sgemm.estimate
        }
        return """
            BLAS library:      \(blas.library)
            Kernel in use:     \(blas.coreInUse) (\(blas.coreTier ?? "unknown") kernels); best for this CPU: \
            \(blas.bestCoreForCPU ?? "none better than generic")
            Kernel selection:  \(blas.selection): \(blas.reason)
            Small-K products:  \(smallK.description) for Dense and Conv1D with <= \(SmallKKernels.maximumInputCount) \
            inputs (\(SmallKKernels.variable)=\(smallK.mode); off uses BLAS)
            Settings:          \(BLASKernelSelection.modeVariable)=\(blas.mode), \
            \(BLASKernelSelection.coreTypeVariable)=\(blas.coreTypeSetting ?? "(not set)")
            CPU:               \(cpu.modelName) (\(cpu.vendor), family \(cpu.family), model \(cpu.model)\(clock))
            Vector extensions: \(cpu.vectorExtensions.joined(separator: " "))
            sgemm, 1 thread:   \(String(format: "%.1f", sgemm.gflops)) GFLOP/s (\(sgemm.size)^3, \(sgemm.products) \
            products in \(String(format: "%.2f", sgemm.seconds)) s); \(expected)
            """
    }
}
