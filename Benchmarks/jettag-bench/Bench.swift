import ArgumentParser

@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jettag-bench",
        abstract: "JetTag's benchmarks (build with -c release); each prints its own table.",
        subcommands: [ReadBenchmark.self, LayerBenchmark.self, NNBenchmark.self]
    )
}
