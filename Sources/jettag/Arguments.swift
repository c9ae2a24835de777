import ArgumentParser
import JetTagKit

/// `--shard i/N` (i from 0).
extension Shard: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// `--split all|training|validation`.
extension DataPart: ExpressibleByArgument {}

/// `--wp-mode inclusive|flat`.
extension WorkingPointMode: ExpressibleByArgument {}

/// `--mc-dropout N` and `--mc-dropout-seed S` of `predict` and `evaluate`.
struct MonteCarloDropoutOptions: ParsableArguments {
    @Option(
        name: .customLong("mc-dropout"),
        help: ArgumentHelp(
            "Score with N stochastic passes, dropout on: the mean per class and its standard deviation (_std).",
            valueName: "N"))
    var passes: Int?

    @Option(
        name: .customLong("mc-dropout-seed"),
        help: "Seed of the dropout masks (each jet's masks from the seed, its row and the pass).")
    var seed: UInt64 = 0

    /// The Monte-Carlo dropout asked for; nil without --mc-dropout.
    func resolved() throws -> MonteCarloDropout? {
        try passes.map { try MonteCarloDropout(passes: $0, seed: seed) }
    }
}
