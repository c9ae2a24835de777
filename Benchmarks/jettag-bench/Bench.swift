import ArgumentParser
import JetNN

@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jettag-bench",
        abstract: "JetTag's benchmarks (build with -c release); each prints its own table.",
        subcommands: [ReadBenchmark.self, LayerBenchmark.self, NNBenchmark.self, SmallKBenchmark.self]
    )

    /// Takes the BLAS kernels `jettag` would take (``BLASStartup/run()``), so the benchmarks measure what users get.
    static func main() {
        do {
            try BLASStartup.run()
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
