import Foundation
import JetTestSupport
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// `jettag train` (which writes the report), `saliency`, `evaluate` and `report` on a tiny synthetic run.
@Suite struct ReportEndToEndTests {
    /// Texts of the page's elements called `name`, in order.
    private final class Page: NSObject, XMLParserDelegate {
        var texts: [(name: String, text: String)] = []
        private var open: [Int] = []

        static func parse(_ html: String) -> Page? {
            let page = Page()
            let parser = XMLParser(data: Data(html.utf8))
            parser.delegate = page
            return parser.parse() ? page : nil
        }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            texts.append((name, attributes["data-name"] ?? ""))
            open.append(texts.count - 1)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let last = open.last, texts[last].name != "g" { texts[last].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }

        func all(_ name: String) -> [String] { texts.filter { $0.name == name }.map(\.text) }
    }

    @Test func trainSaliencyEvaluateAndReport() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let jets = directory.path("jets.h5")
        try SyntheticJetFile.write(to: jets, count: 160, seed: 11)
        try writeSmallRunConfig(to: directory.path("run.yaml"), file: jets)
        let run = directory.path("run")
        let train = try runJetTag(arguments: ["train", "--config", directory.path("run.yaml"), "--out", run])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stderr.contains("wrote \(run)/report.html"))

        let saliency = try runJetTag(arguments: [
            "saliency", "--model", "\(run)/model.h5", jets, "--out", "\(run)/saliency", "--max-jets", "64",
            "--multiplicity", "3", "--working-point", "0.5", "--ig-steps", "4", "--jet", "2",
        ])
        #expect(saliency.status == 0, "\(saliency.stderr)")
        #expect(saliency.stdout.contains("saliency of logit 0 over 64 jets"))
        #expect(saliency.stdout.contains("completeness error"))
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(run)/saliency")
        for name in ["saliency.json", "gradient_all_jets.csv", "gradient_all_jets_signed.svg", "gradient_signal_jets_absolute.svg",
                     "gradient_3_constituents.csv", "integrated_gradients_all_jets.csv", "jet_2.csv", "jet_2_signed.svg"] {
            #expect(files.contains(name), "\(name) in \(files.sorted())")
        }
        #expect(files.contains { $0.hasPrefix("gradient_passing_50_signal_efficiency") && $0.hasSuffix(".csv") })
        #expect(files.contains { $0.hasPrefix("gradient_failing_50_signal_efficiency") && $0.hasSuffix(".csv") })
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(run)/saliency/saliency.json"))) as! [String: Any]
        #expect(json["jet_count"] as? Int == 64)
        let averages = (json["gradient"] as! [String: Any])["averages"] as! [[String: Any]]
        // all, background, signal, 3 constituents, passing and failing the working point.
        #expect(averages.count == 6)
        #expect(averages[4]["jet_count"] as! Int + (averages[5]["jet_count"] as! Int) == 64)

        let evaluate = try runJetTag(arguments: ["evaluate", "--model", "\(run)/model.h5", jets, "--out", "\(run)/eval", "--no-report"])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(run)/eval/report.html"))

        let report = try runJetTag(arguments: ["report", run, "--compare", run])
        #expect(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOfFile: "\(run)/report.html", encoding: .utf8)
        let page = try #require(Page.parse(html), "report.html is not well-formed")
        #expect(page.all("h2") == [
            "Run", "Training", "Validation data", "Performance on the validation split", "Input features", "Evaluation (eval)",
            "Saliency (saliency)", "Run config",
        ])
        let series = Set(page.texts.filter { $0.name == "g" && !$0.text.isEmpty }.map(\.text))
        for name in ["run: training", "run: validation", "run", "background jets", "signal jets"] {
            #expect(series.contains(name), "series \(name) in \(series.sorted())")
        }
        // Loss curves, validation ROC and scores, three inputs, evaluation ROC and scores, the evaluation's
        // reliability diagrams of both classes, 6 x 2 x 2 saliency maps.
        let svgCount = page.all("svg").count
        #expect(svgCount == 1 + 2 + 3 + 2 + 2 + 24)
        let plots = try FileManager.default.contentsOfDirectory(atPath: "\(run)/plots").filter { $0.hasSuffix(".svg") }
        #expect(plots.count == svgCount)
        #expect(page.all("figcaption").contains { $0.hasPrefix("Background rejection") && $0.contains("relative to run") })
        #expect(page.all("th").contains("Precision"))
        // Nothing outside the page: the only URLs are XML namespace names.
        #expect(html.components(separatedBy: "http").count == html.components(separatedBy: "xmlns=\"http").count)
    }

    /// A transformer run's report has the attention section (a heatmap per class and head, a class-token plot per
    /// class) after the input features, and writes the maps to attention.json; `jettag report` redraws them over
    /// fewer slots. (The Deep Sets report above has no such section.)
    @Test func transformerReportShowsAttentionMaps() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let jets = directory.path("jets.h5")
        try SyntheticJetFile.write(to: jets, count: 96, seed: 12)
        try writeSmallRunConfig(to: directory.path("run.yaml"), file: jets, model: """
            model:
              kind: transformer
              transformer: {embedLayers: [8], heads: 2, particleBlocks: 1, classBlocks: 1, feedForward: 8, pairLayers: [], pairColumns: [], headLayers: []}
            """)
        let run = directory.path("run")
        let train = try runJetTag(arguments: ["train", "--config", directory.path("run.yaml"), "--out", run, "--quiet"])
        #expect(train.status == 0, "\(train.stderr)")
        let html = try String(contentsOfFile: "\(run)/report.html", encoding: .utf8)
        let page = try #require(Page.parse(html), "report.html is not well-formed")
        #expect(page.all("h2") == ["Run", "Training", "Validation data", "Performance on the validation split", "Input features", "Attention", "Run config"])
        // Loss curves, ROC and scores, three inputs; 2 classes x 2 heads heatmaps and 2 class-token plots.
        #expect(page.all("svg").count == 1 + 2 + 3 + 4 + 2)
        #expect(page.all("figcaption").filter { $0.hasPrefix("Particle attention, block.0 head") }.count == 4)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(run)/attention.json"))) as! [String: Any]
        #expect(json["slots"] as? Int == SyntheticJetFile.slots && json["heads"] as? Int == 2)
        #expect(json["particle_block"] as? String == "block.0" && json["class_block"] as? String == "class.0")
        let classes = json["classes"] as! [[String: Any]]
        #expect(classes.map { $0["class_name"] as? String } == ["background", "signal"])
        // About a quarter of the jets are validation jets; every synthetic jet has at least 4 constituents.
        #expect((10...40).contains(classes.reduce(0) { $0 + ($1["jet_count"] as! Int) }))
        let counts = classes[0]["slot_jet_counts"] as! [Int]
        #expect(counts.prefix(4).allSatisfy { $0 == classes[0]["jet_count"] as! Int } && counts.count == SyntheticJetFile.slots)
        let means = classes[0]["particle_means"] as! [[[Any]]]
        #expect(means.count == 2 && means[0].count == SyntheticJetFile.slots)
        let first = means[1][0].compactMap { $0 as? Double }
        #expect(first.count >= 4 && first.allSatisfy { $0 > 0 && $0 < 1 })

        let report = try runJetTag(arguments: ["report", run, "--attention-slots", "3", "--attention-jets", "10"])
        #expect(report.status == 0, "\(report.stderr)")
        let redrawn = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(run)/attention.json"))) as! [String: Any]
        #expect(redrawn["slots"] as? Int == 3)
        #expect((redrawn["classes"] as! [[String: Any]]).reduce(0) { $0 + ($1["jet_count"] as! Int) } == 10)
    }

    @Test func badInputExitsNonZeroWithAMessage() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missingRun = try runJetTag(arguments: ["report", directory.path("nope")])
        #expect(missingRun.status != 0)
        #expect(missingRun.stderr.contains("run directory \(directory.path("nope")) does not exist"))

        let jets = directory.path("jets.h5")
        try SyntheticJetFile.write(to: jets, count: 16, seed: 2)
        let missingModel = try runJetTag(arguments: ["saliency", "--model", directory.path("model.h5"), jets, "--out", directory.path("s")])
        #expect(missingModel.status != 0)
        #expect(missingModel.stderr.contains("model file \(directory.path("model.h5")) does not exist"))

        let badPoint = try runJetTag(arguments: ["saliency", "--model", jets, jets, "--out", directory.path("s"), "--working-point", "1.5"])
        #expect(badPoint.status != 0)
        #expect(badPoint.stderr.contains("--working-point 1.5: expected a signal efficiency in (0, 1]"))
    }
}
