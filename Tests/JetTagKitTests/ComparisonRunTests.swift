import Foundation
import JetData
import JetTestSupport
import Testing

@testable import JetTagKit

/// `jettag compare` as a library: score files written like `jettag predict`'s on a synthetic 3-class jet file, the
/// checks that every file holds the same jets, and what the run writes.
@Suite struct ComparisonRunTests {
    static let classes = ["background", "signal", "other"]

    /// A score file of `tagger` for the jets of `jets` (3 classes, labels cycling 0, 1, 2): probabilities that
    /// favour the true class by `separation`, with deterministic noise; `eventShift` moves one row's event number.
    static func writeScores(
        _ path: String, tagger: String, jets: String, count: Int, separation: Float, rows: Range<Int>? = nil,
        eventShiftAt shifted: Int? = nil
    ) throws {
        let schema = ScoreSchema(tagger: tagger, classNames: classes, hasSpread: false)
        let rows = rows ?? 0..<count
        let writer = try JetOutputWriter(
            path: path, fields: schema.fields,
            attributes: schema.attributes(
                model: "\(tagger).h5", inputs: [jets], rows: OutputRows(shard: .whole, rows: rows, inputRows: count)))
        var values: [String: [Float]] = [:]
        for row in rows {
            var p: [Float] = (0..<3).map { Float(((row + 11) * ($0 + 3) * 53) % 89) / 89 + 0.05 }
            p[row % 3] += separation
            let sum = p.reduce(0, +)
            for (c, name) in classes.enumerated() { values[schema.probabilityField(name), default: []].append(p[c] / sum) }
        }
        let events = rows.map { Int64(1000 + $0 + ($0 == shifted ? 1 : 0)) }
        try writer.append(jetIndices: rows.map(Int64.init), eventNumbers: events, values: values)
        try writer.finish()
    }

    @Test func comparesThreeClassTaggersAndWritesEveryOutput() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let jets = directory.path("jets.h5")
        try SyntheticJetFile.write(to: jets, count: 600, seed: 3, classes: 3)
        try Self.writeScores(directory.path("a.h5"), tagger: "pfn", jets: jets, count: 600, separation: 0.6)
        try Self.writeScores(directory.path("b.h5"), tagger: "cnn", jets: jets, count: 600, separation: 1.5)
        let taggers = try ComparedTaggers(
            scoreFiles: [directory.path("a.h5"), directory.path("b.h5")], names: ["cnn": "CNN"],
            variables: ["multiplicity"])
        #expect(taggers.taggers.map(\.name) == ["pfn", "CNN"])
        #expect(taggers.count == 600 && taggers.labelFiles == [jets], "the labels come from the scores' inputs attribute")
        let out = URL(fileURLWithPath: directory.path("compare"))
        let summary = try ComparisonRun(
            taggers: taggers, reference: "pfn", signalClass: "signal", fractions: "background=0.7,other=0.3",
            binnings: [.init(variable: "multiplicity", edges: [4, 6, 9])], mode: .flat, directory: out
        ).run()
        #expect(summary.backgrounds == ["background", "other"])
        #expect(summary.rows.count == 4)
        // The AUC is the one of the discriminant's ROC against each background alone.
        let signal = try SignalScore(classNames: Self.classes, signalClass: "signal", fractions: "background=0.7,other=0.3")
        let scores = try signal.scores(probabilities: taggers.taggers[1].probabilities)
        let direct = try ROCCurve(scores: scores, labels: taggers.labels, signalClass: 1, backgroundClasses: [2])
        #expect(summary.rows[3].tagger == "CNN" && summary.rows[3].background == "other")
        #expect(summary.rows[3].auc == direct.auc)
        #expect(summary.rows[3].auc > summary.rows[1].auc, "the better separated tagger has the larger AUC")

        let html = try String(contentsOf: out.appendingPathComponent("compare.html"), encoding: .utf8)
        for title in ["ROC curves", "Performance in bins", "Score distributions", "Fraction scan"] {
            #expect(html.contains("<h2>\(title)</h2>"), "\(title)")
        }
        // ROC, 3 WPs x (2 rejections + 1 efficiency), 2 score plots, the fraction scan.
        let svgs = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("plots").path)
        #expect(svgs.count == 1 + 9 + 2 + 1)
        let binned = try String(contentsOf: out.appendingPathComponent("binned.csv"), encoding: .utf8)
            .split(separator: "\n")
        #expect(binned.count == 1 + 2 * 2 * 3 * 2, "header, then tagger x background x WP x bin")
        let header = binned[0].split(separator: ",").map(String.init)
        let efficiency = header.firstIndex(of: "signal_efficiency")!
        let target = header.firstIndex(of: "working_point")!
        for line in binned.dropFirst() {
            let fields = line.split(separator: ",")
            #expect(abs(Double(fields[efficiency])! - Double(fields[target])!) < 1e-12, "flat: every bin at the WP")
        }
        for file in ["summary.csv", "fraction_scan.csv", "roc_CNN_other.csv", "roc_pfn_background.csv"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file)")
        }
    }

    @Test func filesOfOtherJetsAreErrorsNamingTheFileAndRow() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let jets = directory.path("jets.h5")
        try SyntheticJetFile.write(to: jets, count: 60, seed: 3, classes: 3)
        try Self.writeScores(directory.path("a.h5"), tagger: "a", jets: jets, count: 60, separation: 1)
        try Self.writeScores(directory.path("short.h5"), tagger: "b", jets: jets, count: 60, separation: 1, rows: 0..<50)
        try Self.writeScores(directory.path("shifted.h5"), tagger: "c", jets: jets, count: 60, separation: 1, eventShiftAt: 17)
        func error(_ files: [String], labels: [String] = []) -> String {
            do {
                _ = try ComparedTaggers(scoreFiles: files.map(directory.path), labelFiles: labels)
                return ""
            } catch {
                return "\(error)"
            }
        }
        #expect(error(["a.h5", "short.h5"]) == "\(directory.path("short.h5")) and \(directory.path("a.h5")) do not hold "
            + "the same jets: 50 rows against 60")
        #expect(error(["a.h5", "shifted.h5"]).contains("\(directory.path("shifted.h5")) and \(directory.path("a.h5"))"))
        #expect(error(["a.h5", "shifted.h5"]).contains("first differing row 17: jet_index 17, event_number 1018"))
        // Against the labelled jets: the first score file's event numbers must be those of its jet_index rows.
        #expect(error(["shifted.h5", "a.h5"]).contains("first differing row 17"))
        let other = directory.path("other.h5")
        try SyntheticJetFile.write(to: other, count: 60, seed: 3, firstEventNumber: 5000, classes: 3)
        #expect(error(["a.h5"], labels: [other]).contains("row 0 (jet_index 0) has event_number 1000, the labelled jet 0 has 5000"))
        let fewer = directory.path("fewer.h5")
        try SyntheticJetFile.write(to: fewer, count: 40, seed: 3, classes: 3)
        #expect(error(["a.h5"], labels: [fewer]).contains("row 40 has jet_index 40, but the labelled files hold 40 jets"))

        let taggers = try ComparedTaggers(scoreFiles: [directory.path("a.h5")])
        #expect(throws: JetTagKitError.unknownReference(name: "nope", taggers: ["a"])) {
            try ComparisonRun(taggers: taggers, reference: "nope", directory: URL(fileURLWithPath: directory.path("x"))).run()
        }
        #expect(throws: JetTagKitError.self) { try ComparisonRun.Binning(parsing: "pt=500,400") }
        #expect(try ComparisonRun.Binning(parsing: "pt=500,550,600") == .init(variable: "pt", edges: [500, 550, 600]))
    }
}
