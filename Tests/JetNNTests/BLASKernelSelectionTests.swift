@testable import JetNN
import Testing
import Foundation

/// The start-up decision about OpenBLAS's kernels, row by row, and the CPUID decoding it rests on.
@Suite struct BLASKernelSelectionTests {
    private static let avx512: Set<CPUFeatures.VectorExtension> = [
        .sse3, .avx, .avx2, .fma, .avx512f, .avx512bw, .avx512dq, .avx512vl,
    ]
    /// The Xeon of issue 14 (family 6, model 207): AVX-512 with BF16, unknown to Debian 12's OpenBLAS.
    private let xeon = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 207, extensions: avx512.union([.avx512bf16]))
    private let skylake = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 85, extensions: avx512)
    private let zen3 = CPUFeatures(vendor: "AuthenticAMD", family: 25, model: 1, extensions: [.sse3, .avx, .avx2, .fma])
    private let haswell = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 63, extensions: [.sse3, .avx, .avx2, .fma])
    private let sse = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 23, extensions: [.sse3])

    private let cpuText = "this CPU has AVX-512 (F, BW, DQ, VL) with AVX512_BF16"

    @Test func bestCoreByExtensionsAndVendor() {
        #expect(BLASKernelSelection.bestCore(for: xeon)?.name == "Cooperlake")
        #expect(BLASKernelSelection.bestCore(for: skylake)?.name == "SkylakeX")
        #expect(BLASKernelSelection.bestCore(for: zen3)?.name == "Zen")
        #expect(BLASKernelSelection.bestCore(for: haswell)?.name == "Haswell")
        // AVX2 without FMA is not enough for the Haswell kernels.
        let noFMA = CPUFeatures(vendor: "GenuineIntel", extensions: [.sse3, .avx, .avx2])
        #expect(BLASKernelSelection.bestCore(for: noFMA)?.name == "Sandybridge")
        // AVX-512F alone (no BW/DQ/VL, as on Knights Landing) is not enough for SkylakeX.
        let knights = CPUFeatures(vendor: "GenuineIntel", extensions: [.sse3, .avx, .avx2, .fma, .avx512f])
        #expect(BLASKernelSelection.bestCore(for: knights)?.name == "Haswell")
        #expect(BLASKernelSelection.bestCore(for: sse) == nil)
    }

    @Test func tiersOfCoreNames() {
        #expect(BLASKernelSelection.tier(ofCore: "Prescott") == .generic)
        #expect(BLASKernelSelection.tier(ofCore: "NEHALEM") == .generic)
        #expect(BLASKernelSelection.tier(ofCore: "Sandybridge") == .avx)
        #expect(BLASKernelSelection.tier(ofCore: "zen") == .avx2)
        #expect(BLASKernelSelection.tier(ofCore: "SkylakeX") == .avx512)
        #expect(BLASKernelSelection.tier(ofCore: "Cooperlake") == .avx512)
        #expect(BLASKernelSelection.tier(ofCore: "Neoverse") == nil)
    }

    private func decide(_ cpu: CPUFeatures, _ core: String, _ environment: [String: String] = [:]) throws -> BLASKernelSelection.Decision {
        try BLASKernelSelection.decide(cpu: cpu, selectedCore: core, environment: environment)
    }

    @Test func genericFallbackOfTheLibraryIsReplaced() throws {
        #expect(try decide(xeon, "Prescott") == .reexecute(
            coreType: "Cooperlake", reason: "OpenBLAS chose Prescott, a generic (SSE) kernel, and \(cpuText)"))
        #expect(try decide(zen3, "Nehalem") == .reexecute(
            coreType: "Zen", reason: "OpenBLAS chose Nehalem, a generic (SSE) kernel, and this CPU has AVX2 and FMA"))
        // Any weaker tier, not just the generic one: Haswell kernels on an AVX-512 CPU.
        #expect(try decide(skylake, "Haswell") == .reexecute(
            coreType: "SkylakeX",
            reason: "OpenBLAS chose Haswell, an AVX2 kernel, and this CPU has AVX-512 (F, BW, DQ, VL)"))
    }

    @Test func theBestTierIsKept() throws {
        #expect(try decide(xeon, "Cooperlake") == .keep(
            reason: "OpenBLAS chose Cooperlake, an AVX-512 kernel, the best for this CPU"))
        // SkylakeX and Cooperlake run sgemm alike: no re-execution between them.
        #expect(try decide(xeon, "SkylakeX") == .keep(
            reason: "OpenBLAS chose SkylakeX, an AVX-512 kernel, the best for this CPU"))
        #expect(try decide(sse, "Core2") == .keep(
            reason: "OpenBLAS chose Core2, a generic (SSE) kernel, the best for this CPU"))
        #expect(try decide(xeon, "Neoverse") == .keep(reason: "OpenBLAS runs Neoverse, a core JetTag does not know"))
    }

    @Test func theUsersCoreTypeWinsUnlessGeneric() throws {
        #expect(try decide(xeon, "Haswell", ["OPENBLAS_CORETYPE": "Haswell"]) == .keep(
            reason: "OPENBLAS_CORETYPE=Haswell was set by the user, although this CPU could run Cooperlake "
                + "(it has AVX-512 (F, BW, DQ, VL) with AVX512_BF16)"))
        #expect(try decide(xeon, "SkylakeX", ["OPENBLAS_CORETYPE": "skylakex"]) == .keep(
            reason: "OPENBLAS_CORETYPE=skylakex was set by the user (OpenBLAS runs SkylakeX)"))
        // A generic core forced on an AVX-512 CPU is overridden in the default mode...
        #expect(try decide(xeon, "Prescott", ["OPENBLAS_CORETYPE": "Prescott"]) == .reexecute(
            coreType: "Cooperlake",
            reason: "the user's OPENBLAS_CORETYPE=Prescott selects Prescott, a generic (SSE) kernel, and \(cpuText)"))
        // ...and kept with JETTAG_BLAS=keep, as is the library's own choice.
        #expect(try decide(xeon, "Prescott", ["OPENBLAS_CORETYPE": "Prescott", "JETTAG_BLAS": "keep"]) == .keep(
            reason: "JETTAG_BLAS=keep keeps Prescott (OPENBLAS_CORETYPE=Prescott), although this CPU could run "
                + "Cooperlake (it has AVX-512 (F, BW, DQ, VL) with AVX512_BF16)"))
        #expect(try decide(zen3, "Prescott", ["JETTAG_BLAS": "keep"]) == .keep(
            reason: "JETTAG_BLAS=keep keeps Prescott (OpenBLAS's own choice), although this CPU could run Zen "
                + "(it has AVX2 and FMA)"))
    }

    @Test func theReexecutedProcessNeverLoops() throws {
        let marker = "OpenBLAS chose Prescott, a generic (SSE) kernel, and \(cpuText)"
        let environment = ["OPENBLAS_CORETYPE": "Cooperlake", "JETTAG_BLAS_REEXEC": marker]
        #expect(try decide(xeon, "Cooperlake", environment) == .reexecuted(
            reason: "re-executed with OPENBLAS_CORETYPE=Cooperlake: \(marker)"))
        // A library without the kernels asked for: still no second re-execution, and the report says why.
        #expect(try decide(xeon, "Haswell", environment) == .reexecuted(
            reason: "re-executed with OPENBLAS_CORETYPE=Cooperlake: \(marker); but OpenBLAS still runs Haswell: "
                + "this OpenBLAS has no Cooperlake kernels"))
    }

    @Test func aBadModeNamesTheVariable() {
        #expect(throws: JetNNError.invalidEnvironmentValue(variable: "JETTAG_BLAS", value: "fast", allowed: ["auto", "keep"])) {
            try decide(xeon, "Prescott", ["JETTAG_BLAS": "fast"])
        }
        #expect(
            JetNNError.invalidEnvironmentValue(variable: "JETTAG_BLAS", value: "fast", allowed: ["auto", "keep"]).description
                == "environment variable JETTAG_BLAS=fast: expected one of auto, keep")
    }

    /// CPUID registers of the Xeon (family 6, model 207) and of a Zen 4 EPYC (family 25, model 17).
    private func registers(
        vendor: (UInt32, UInt32, UInt32), signature: UInt32
    ) -> (UInt32, UInt32) -> (eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32)? {
        { leaf, subleaf in
            switch (leaf, subleaf) {
            case (0, _): (eax: 7, ebx: vendor.0, ecx: vendor.2, edx: vendor.1)
            case (1, _): (eax: signature, ebx: 0, ecx: 1 << 0 | 1 << 12 | 1 << 27 | 1 << 28, edx: 0)
            case (7, 0): (eax: 1, ebx: 1 << 5 | 1 << 16 | 1 << 17 | 1 << 30 | 1 << 31, ecx: 0, edx: 0)
            case (7, 1): (eax: 1 << 5, ebx: 0, ecx: 0, edx: 0)
            default: nil
            }
        }
    }

    @Test func cpuidDecoding() {
        // "GenuineIntel" is ebx "Genu", edx "ineI", ecx "ntel", little-endian.
        let intel = registers(vendor: (0x756E_6547, 0x4965_6E69, 0x6C65_746E), signature: 0x000C_06F2)
        let features = CPUFeatures(cpuid: intel, xcr0: 0xE7)
        #expect(features == CPUFeatures(
            vendor: "GenuineIntel", family: 6, model: 207, extensions: Self.avx512.union([.avx512bf16])))
        // The operating system does not save the AVX-512 state: no AVX-512 for programs.
        #expect(CPUFeatures(cpuid: intel, xcr0: 0x7).extensions == [.sse3, .avx, .avx2, .fma])
        // No OSXSAVE at all: SSE only.
        #expect(CPUFeatures(cpuid: intel, xcr0: 0).extensions == [.sse3])
        // "AuthenticAMD": ebx "Auth", edx "enti", ecx "cAMD"; extended family 0xA + 0xF = 25, model 0x11.
        let amd = CPUFeatures(cpuid: registers(vendor: (0x6874_7541, 0x6974_6E65, 0x444D_4163), signature: 0x00A1_0F11), xcr0: 0xE7)
        #expect(amd.vendor == "AuthenticAMD" && amd.family == 25 && amd.model == 17 && amd.isAMD)
    }
}

/// CPUID on this machine against the kernel's own reading, the flags of /proc/cpuinfo.
@Suite struct CPUFeaturesTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/cpuinfo")))
    func currentMatchesProcCpuinfo() throws {
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flagsLine = try #require(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") })
        let flags = Set(flagsLine.split(separator: ":")[1].split(separator: " ").map(String.init))
        let names: [(CPUFeatures.VectorExtension, String)] = [
            (.sse3, "pni"), (.avx, "avx"), (.avx2, "avx2"), (.fma, "fma"), (.avx512f, "avx512f"),
            (.avx512bw, "avx512bw"), (.avx512dq, "avx512dq"), (.avx512vl, "avx512vl"), (.avx512bf16, "avx512_bf16"),
        ]
        for (feature, flag) in names {
            #expect(CPUFeatures.current.extensions.contains(feature) == flags.contains(flag), "\(flag)")
        }
        let vendor = try #require(cpuinfo.split(separator: "\n").first { $0.hasPrefix("vendor_id") })
        #expect(vendor.hasSuffix(CPUFeatures.current.vendor))
    }
}
