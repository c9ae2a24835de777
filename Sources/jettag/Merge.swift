import ArgumentParser
import JetTagKit

/// `jettag merge --out OUT PARTS...`: the outputs of a sharded predict, reweight apply or evaluate as one.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join the outputs of sharded jobs (predict --out, reweight apply, evaluate --shard) into one.",
        discussion: """
            Scores and weights files become one file in input order, identical to an unsharded run's; \
            evaluation parts become OUT/metrics.json, roc.csv and the score histograms of one evaluation of all \
            jets (not an average of the parts). The parts may come in any order; they must be of one model, \
            inputs and settings and hold every row of the inputs once (checked from their shard, rows and \
            input_rows attributes). The output is written under a temporary name and renamed when complete.
            """)

    @Option(help: "The merged file (scores, weights) or directory (evaluation).")
    var out: String

    @Argument(help: "The parts: files written by the sharded jobs.")
    var parts: [String]

    func run() throws {
        let summary = try OutputMerge(parts: parts, out: out).run()
        print("merged \(summary.parts) \(summary.kind) parts, \(summary.jets) jets, into \(out)")
    }
}
