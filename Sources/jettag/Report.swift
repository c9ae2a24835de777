import ArgumentParser
import Foundation
import JetTagKit

/// `jettag report RUN/ [--compare RUN2/]`: one self-contained HTML page for a run.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write one self-contained HTML page (inline SVG plots, no network) for a run directory.",
        discussion: """
            Gathers the run's config, loss curves, the model's ROC, score and input distributions on the validation \
            split, and every jettag evaluate (metrics.json), saliency (saliency.json) and reweight closure \
            (closure.json) output in RUN or one level below; for a transformer, its mean attention maps per head \
            and class on the validation split. With --compare, the second run's curves are drawn as the reference \
            (ROC ratio panel). Writes RUN/report.html, each plot as RUN/plots/<n>.svg and a transformer's attention \
            maps as RUN/attention.json.
            """)

    @Argument(help: ArgumentHelp("The run directory (of jettag train, evaluate or reweight closure).", valueName: "RUN"))
    var directory: String

    @Option(help: ArgumentHelp("A second run to compare with (the reference of the ratio panels).", valueName: "RUN2"))
    var compare: String?

    @Option(help: "The HTML file to write (default RUN/report.html).")
    var out: String?

    @Option(name: .customLong("max-jets"), help: "Validation jets to score for the ROC, score and input plots.")
    var maxJets = 20_000

    @Option(name: .customLong("attention-jets"), help: "A transformer's attention maps: validation jets to average over.")
    var attentionJets = 2_000

    @Option(name: .customLong("attention-slots"), help: "A transformer's attention maps: constituents shown (pT order).")
    var attentionSlots = 30

    func validate() throws {
        guard maxJets > 0 else { throw ValidationError("--max-jets must be positive") }
        guard attentionJets > 0 else { throw ValidationError("--attention-jets must be positive") }
        guard attentionSlots > 0 else { throw ValidationError("--attention-slots must be positive") }
    }

    func run() throws {
        print(try Self.write(
            directory: directory, compare: compare, out: out, maxJets: maxJets, attentionJets: attentionJets,
            attentionSlots: attentionSlots))
    }

    /// Builds the page of `directory` and writes it with its plots; returns a line saying where.
    static func write(
        directory: String, compare: String? = nil, out: String? = nil, maxJets: Int = 20_000, attentionJets: Int = 2_000,
        attentionSlots: Int = 30
    ) throws -> String {
        let (page, destination) = try RunReport(
            directory: URL(fileURLWithPath: directory), reference: compare.map { URL(fileURLWithPath: $0) },
            maxJets: maxJets, attentionJets: attentionJets, attentionSlots: attentionSlots
        ).write(to: out.map { URL(fileURLWithPath: $0) })
        return "wrote \(destination.path) (\(page.sections.count) sections, \(page.figureCount) figures)"
    }
}

/// `--no-report` for the commands that write a report when they finish (train, evaluate, reweight closure).
struct ReportOptions: ParsableArguments {
    @Flag(name: .customLong("no-report"), help: "Do not write DIR/report.html at the end.")
    var noReport = false

    /// Writes `directory`/report.html unless `--no-report` was given, saying so on stderr.
    func write(for directory: String) throws {
        guard !noReport else { return }
        FileHandle.standardError.write(Data((try Report.write(directory: directory) + "\n").utf8))
    }
}
