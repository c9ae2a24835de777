import ArgumentParser

@main
struct JetTag: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jettag",
        abstract: "Train and apply jet taggers and reweight simulated samples, straight from HDF5 files.",
        version: "0.1.0",
        subcommands: [Inspect.self]
    )
}
