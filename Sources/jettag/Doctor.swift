import ArgumentParser
import Foundation
import JetTagKit

/// `jettag doctor`: checks a node's BLAS kernels, CPU and matrix-product rate.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the BLAS, the kernels it and JetTag run, the CPU's vector extensions and a measured sgemm rate.",
        discussion: """
            At start-up jettag asks OpenBLAS which kernels it selected (by CPU model number, when the library \
            loads) and reads the CPU's vector extensions (CPUID). When OpenBLAS runs weaker kernels than the CPU \
            supports (e.g. its generic Prescott ones on a CPU model it does not know), jettag runs itself again \
            once with OPENBLAS_CORETYPE set to the best core: Cooperlake (AVX-512 with AVX512_BF16), SkylakeX \
            (AVX-512 F/BW/DQ/VL), Zen or Haswell (AVX2 with FMA). An OPENBLAS_CORETYPE you set is kept, unless it \
            selects a generic (SSE) core on a CPU with AVX2 or AVX-512. Set JETTAG_BLAS=keep to keep whatever \
            OpenBLAS runs (JETTAG_BLAS=auto is the default). The measured rate is one thread's 1024^3 sgemm; the \
            expected rate is an estimate (peak FLOPs per cycle for the vector extension x the clock of \
            /proc/cpuinfo). Dense and Conv1D products with at most 24 inputs (a first layer) run on JetTag's own \
            kernels for the widest of SSE2, AVX2 + FMA and AVX-512F the CPU has; JETTAG_SMALL_K=off runs them on \
            BLAS (auto is the default).
            """)

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    @Option(help: "Seconds to measure sgemm for.")
    var seconds = 2.0

    func validate() throws {
        guard seconds >= 0 else { throw ValidationError("--seconds must be >= 0, got \(seconds)") }
    }

    func run() throws {
        let check = try NodeCheck.run(seconds: seconds)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(check), as: UTF8.self))
        } else {
            print(check.text)
        }
    }
}
