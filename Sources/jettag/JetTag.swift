import ArgumentParser
import JetModels

@main
struct JetTag: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jettag",
        abstract: "Train and apply jet taggers and reweight simulated samples, straight from HDF5 files.",
        version: ModelFile.codeVersion,
        subcommands: [Inspect.self, Train.self, Predict.self, Evaluate.self, Reweight.self, Saliency.self, Report.self]
    )
}
