import Foundation
import JetTestSupport
import Testing

/// `jettag doctor` run as a subprocess: a forced generic OpenBLAS kernel ends on the CPU's best one (the program
/// runs itself again), unless JETTAG_BLAS=keep says otherwise, and the report says what happened.
@Suite struct DoctorEndToEndTests {
    private func doctor(_ environment: [String: String], json: Bool = true) throws -> (json: [String: Any], text: String) {
        let arguments = ["doctor", "--seconds", "0.1"] + (json ? ["--json"] : [])
        let result = try runJetTag(arguments: arguments, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let object = json ? try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] : nil
        return (object ?? [:], result.stdout)
    }

    private func blas(_ report: [String: Any]) throws -> [String: Any] {
        try #require(report["blas"] as? [String: Any])
    }

    /// The CPU's best core, or nil when it has not got AVX2 (then nothing is better than generic kernels).
    private func bestCore(_ report: [String: Any]) throws -> String? {
        let extensions = try #require((report["cpu"] as? [String: Any])?["vectorExtensions"] as? [String])
        guard extensions.contains("AVX2") && extensions.contains("FMA") else { return nil }
        return try blas(report)["bestCoreForCPU"] as? String
    }

    @Test func aForcedGenericKernelEndsOnTheBestOne() throws {
        let report = try doctor(["OPENBLAS_CORETYPE": "Prescott", "JETTAG_BLAS": "auto"]).json
        let blas = try blas(report)
        let best = try #require(try bestCore(report), "this test needs a CPU with AVX2 and FMA")
        #expect(["Cooperlake", "SkylakeX", "Zen", "Haswell"].contains(best))
        #expect(blas["coreInUse"] as? String == best)
        #expect(blas["coreTypeSetting"] as? String == best)
        #expect(blas["selection"] as? String == "re-executed")
        let reason = try #require(blas["reason"] as? String)
        #expect(reason.hasPrefix(
            "re-executed with OPENBLAS_CORETYPE=\(best): the user's OPENBLAS_CORETYPE=Prescott selects Prescott, "
                + "a generic (SSE) kernel, and this CPU has "), "\(reason)")
        #expect((blas["library"] as? String)?.contains(best) == true, "\(blas)")
        let sgemm = try #require(report["sgemm"] as? [String: Any])
        #expect(try #require(sgemm["gflops"] as? Double) > 0)
        #expect(sgemm["size"] as? Int == 1024)
    }

    @Test func keepKeepsTheForcedKernelAndSaysSo() throws {
        let (report, _) = try doctor(["OPENBLAS_CORETYPE": "Prescott", "JETTAG_BLAS": "keep"])
        let blas = try blas(report)
        let best = try #require(try bestCore(report), "this test needs a CPU with AVX2 and FMA")
        #expect(blas["coreInUse"] as? String == "Prescott")
        #expect(blas["coreTier"] as? String == "generic")
        #expect(blas["selection"] as? String == "kept")
        #expect((blas["reason"] as? String)?.hasPrefix(
            "JETTAG_BLAS=keep keeps Prescott (OPENBLAS_CORETYPE=Prescott), although this CPU could run \(best)") == true,
            "\(blas)")
    }

    @Test func humanReadableReport() throws {
        let text = try doctor(["OPENBLAS_CORETYPE": "Prescott", "JETTAG_BLAS": "auto"], json: false).text
        for prefix in [
            "BLAS library:      OpenBLAS", "Kernel in use:     ", "Kernel selection:  re-executed: re-executed with",
            "Settings:          JETTAG_BLAS=auto, OPENBLAS_CORETYPE=", "CPU:               ", "Vector extensions: SSE3",
            "sgemm, 1 thread:   ", "Small-K products:  JetTag's",
        ] {
            #expect(text.split(separator: "\n").contains { $0.hasPrefix(prefix) }, "missing '\(prefix)' in:\n\(text)")
        }
        #expect(text.contains("GFLOP/s (1024^3, "), "\(text)")
    }

    /// The small-K path is the widest kernel set the CPU has, and BLAS with JETTAG_SMALL_K=off.
    @Test func smallKPathFollowsTheCPUAndTheSetting() throws {
        let report = try doctor([:]).json
        let extensions = try #require((report["cpu"] as? [String: Any])?["vectorExtensions"] as? [String])
        let expected = extensions.contains("AVX512F") ? "avx512" : extensions.contains("AVX2") && extensions.contains("FMA") ? "avx2" : "sse2"
        #expect((report["smallK"] as? [String: Any])?["path"] as? String == expected, "\(report)")
        let off = try doctor(["JETTAG_SMALL_K": "off"]).json
        #expect((off["smallK"] as? [String: Any])?["path"] as? String == "blas", "\(off)")
        let bad = try runJetTag(arguments: ["doctor"], environment: ["JETTAG_SMALL_K": "fast"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("environment variable JETTAG_SMALL_K=fast: expected one of auto, off"), "\(bad.stderr)")
    }

    @Test func aBadModeFailsAndNamesTheVariable() throws {
        let result = try runJetTag(arguments: ["doctor"], environment: ["JETTAG_BLAS": "fast"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("environment variable JETTAG_BLAS=fast: expected one of auto, keep"), "\(result.stderr)")
    }
}
