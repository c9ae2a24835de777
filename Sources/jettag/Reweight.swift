import ArgumentParser

/// `jettag reweight train|apply|closure`: classifier-based reweighting of simulated samples (DCTR).
struct Reweight: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reweight a simulated sample to look like another, with a classifier (negative weights supported).",
        subcommands: [ReweightTrain.self, ReweightApply.self, ReweightClosure.self])
}
