@testable import JetTagKit
import JetNN
import Testing

/// The parts of `jettag doctor`'s report that do not need the machine: the clock and the peak estimate.
@Suite struct NodeCheckTests {
    @Test func clockFromCpuinfo() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu MHz\t\t: 2596.150\ncache size\t: 1024 KB\ncpu MHz\t\t: 1800.000\n"
        #expect(NodeCheck.cpuClockMHz(cpuinfo: cpuinfo) == 2596.15)
        #expect(NodeCheck.cpuClockMHz(cpuinfo: "processor\t: 0\nBogoMIPS\t: 50.00\n") == nil)
    }

    @Test func peakFlopsPerCycleByExtensionAndVendor() {
        let avx512: Set<CPUFeatures.VectorExtension> = [.sse3, .avx, .avx2, .fma, .avx512f, .avx512bw, .avx512dq, .avx512vl]
        #expect(NodeCheck.peakFlopsPerCycle(CPUFeatures(vendor: "GenuineIntel", family: 6, extensions: avx512)).0 == 64)
        // Zen 4 runs AVX-512 on 256-bit units; Zen 5 (family 26) on 512-bit ones.
        #expect(NodeCheck.peakFlopsPerCycle(CPUFeatures(vendor: "AuthenticAMD", family: 25, extensions: avx512)).0 == 32)
        #expect(NodeCheck.peakFlopsPerCycle(CPUFeatures(vendor: "AuthenticAMD", family: 26, extensions: avx512)).0 == 64)
        #expect(NodeCheck.peakFlopsPerCycle(CPUFeatures(vendor: "AuthenticAMD", family: 25, extensions: [.avx, .avx2, .fma])).0 == 32)
        #expect(NodeCheck.peakFlopsPerCycle(CPUFeatures(vendor: "GenuineIntel", extensions: [.sse3, .avx])).0 == 16)
        #expect(NodeCheck.peakFlopsPerCycle(CPUFeatures(vendor: "GenuineIntel", extensions: [.sse3])).0 == 8)
    }
}
