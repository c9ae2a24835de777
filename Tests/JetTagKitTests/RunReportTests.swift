import Foundation
import JetTagKit
import JetTestSupport
import Testing

/// The report of a run directory holding loss curves and `jettag evaluate` outputs (no model to score).
@Suite struct RunReportTests {
    /// Writes `metrics.json` of four scored jets into `directory`.
    private func writeMetrics(to directory: URL, model: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let (report, _) = try EvaluationReport.evaluating(
            probabilities: [0.9, 0.1, 0.6, 0.4, 0.3, 0.7, 0.2, 0.8], labels: [0, 0, 1, 1], weights: [1, 1, 1, 1],
            classNames: ["qcd", "top"], signal: 1, discriminant: nil, threshold: 0.5, model: model, tagger: "pfn")
        try MetricsJSON.write(report, to: directory.appendingPathComponent("metrics.json"))
    }

    /// A run directory with a history, an evaluation in it and one in `eval/`.
    private func makeRun(_ directory: TemporaryDirectory, name: String) throws -> URL {
        let run = directory.url.appendingPathComponent(name)
        try writeMetrics(to: run, model: "\(name)/model.h5")
        try writeMetrics(to: run.appendingPathComponent("eval"), model: "\(name)/model.h5")
        let history = """
            [{"epoch": 1, "trainingLoss": 0.7, "validationLoss": 0.69, "learningRate": 0.001, "seconds": 1.5, \
            "jetsPerSecond": 100}]
            """
        try Data(history.utf8).write(to: run.appendingPathComponent("history.json"))
        return run
    }

    @Test func sectionsFollowWhatTheDirectoryHolds() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let run = try makeRun(directory, name: "a")
        let report = try RunReport(directory: run)
        #expect(report.run.name == "a")
        #expect(report.run.config == nil && report.run.model == nil)
        #expect(report.run.histories.map(\.name) == ["a"])
        #expect(report.run.histories.first?.history.first?.learningRate == Double(Float(0.001)))
        let page = try report.html()
        #expect(page.title == "JetTag report: a")
        #expect(page.sections.map(\.title) == ["Run", "Training", "Evaluation (.)", "Evaluation (eval)"])
    }

    @Test func aReferenceRunIsNamedAndItsEvaluationsPaired() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let run = try makeRun(directory, name: "a")
        let reference = try makeRun(directory, name: "b")
        let (page, destination) = try RunReport(directory: run, reference: reference).write()
        #expect(page.title == "JetTag report: a compared with b")
        #expect(destination == run.appendingPathComponent("report.html"))
        #expect(FileManager.default.fileExists(atPath: destination.path))
        let plots = try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("plots").path)
        #expect(plots.count == page.figureCount)
        let html = try String(contentsOf: destination, encoding: .utf8)
        #expect(html.contains("Compared with"))
    }

    @Test func aMissingRunDirectoryIsNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = directory.url.appendingPathComponent("nope")
        #expect(throws: JetTagKitError.missingRunDirectory(path: missing.path)) { try RunReport(directory: missing) }
    }
}
