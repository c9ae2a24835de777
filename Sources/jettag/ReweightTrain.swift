import ArgumentParser
import Foundation
import JetTagKit

/// `jettag reweight train --config C.yaml --out RUN/`.
struct ReweightTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a source-vs-target classifier for reweighting.",
        discussion: """
            Writes RUN/model.h5 (the classifier, with the density-ratio settings, normalisation and config), \
            RUN/history.csv and, for negativeWeights: resample, RUN/resampler-<sample>/.
            """)

    @Option(help: "The YAML reweighting config.")
    var config: String

    @Option(help: "The run directory to create.")
    var out: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a config value, e.g. --set reweighting.negativeWeights=abs.", valueName: "key.path=value"))
    var overrides: [String] = []

    @Flag(help: "No progress output.")
    var quiet = false

    func run() throws {
        let config = try ReweightingConfig.load(path: config, overrides: overrides)
        StopSignal.install()
        let progress = TrainingProgress(epochs: config.classifier.training.epochs, quiet: quiet)
        let start = Date()
        var stage = ""
        let info = try ReweightingRun(config: config, directory: URL(fileURLWithPath: out)).run(
            progress: { name, event in
                if name != stage, !quiet { FileHandle.standardError.write(Data("\(name):\n".utf8)) }
                stage = name
                progress.report(member: 0, members: 1, event: event)
            },
            shouldStop: { stopRequested.load(ordering: .relaxed) })
        if !quiet {
            FileHandle.standardError.write(Data(String(
                format: "wrote %@/model.h5 (negative weights: %@, normalisation %.6g) in %.1f s\n", out,
                config.options.negativeWeights.rawValue, info.densityRatio.normalization, Date().timeIntervalSince(start)).utf8))
        }
    }
}
