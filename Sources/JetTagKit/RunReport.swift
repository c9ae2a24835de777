import Foundation
import JetMetrics
import JetModels
import JetReport
import JetSaliency

/// Gathers what a run directory holds into one ``HTMLReport``: the training config, loss curves (one per
/// k-fold or ensemble member), the model's ROC, scores and inputs on the validation split, every
/// `jettag evaluate` output (`metrics.json`), saliency analysis (`saliency.json`) and reweighting closure
/// (`closure.json`) found in the directory or one level below, optionally next to a second run; for a
/// transformer also its attention maps on the validation split (``JetMetrics/AttentionMaps``, written to
/// `attention.json` beside the page).
///
/// ```swift
/// let page = try RunReport(directory: run, reference: nil).write()
/// ```
public struct RunReport {
    /// A run directory and what was found in it.
    public struct Run {
        public var name: String
        public var directory: URL
        /// The run config of a training run (`config.json`).
        public var config: RunConfig?
        /// The loss curves: `history.json` of the run and of its members (`fold<i>/`, `member<i>/`).
        public var histories: [(name: String, history: [TrainingEpoch])]
        /// The model of a training run (`model.h5`).
        public var model: ModelFile?

        /// - Throws: ``JetTagKitError/missingRunDirectory(path:)`` when `directory` is not a directory.
        public init(directory: URL) throws {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw JetTagKitError.missingRunDirectory(path: directory.path)
            }
            self.directory = directory
            let name = directory.standardizedFileURL.lastPathComponent
            self.name = name
            let configURL = directory.appendingPathComponent("config.json")
            config = (try? Data(contentsOf: configURL))
                .flatMap { try? JSONSerialization.jsonObject(with: $0) }
                .flatMap { try? RunConfig.load(tree: $0, file: configURL.path) }
            histories = RunReport.files(named: "history.json", in: directory).compactMap { url in
                let history = try? JSONDecoder().decode([EpochRecord].self, from: Data(contentsOf: url))
                let member = url.deletingLastPathComponent().lastPathComponent
                let isTopLevel = url.deletingLastPathComponent().standardizedFileURL.path == directory.standardizedFileURL.path
                let runName = isTopLevel ? name : "\(name)/\(member)"
                return history.map { (runName, $0.map(TrainingEpoch.init)) }
            }
            let modelPath = directory.appendingPathComponent("model.h5").path
            model = config != nil && FileManager.default.fileExists(atPath: modelPath) ? try ModelFile.read(from: modelPath) : nil
        }

        /// The model's scores and inputs on at most `maxJets` jets of the validation split (nil without a
        /// training config and model, or when the config's files are not found from here).
        public func validationJets(maxJets: Int) throws -> ScoredJets? {
            guard let config, let model, config.data.files.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else {
                return nil
            }
            return try ScoredJets.read(
                files: config.data.files, model: model, maxJets: maxJets, part: .validation,
                threads: config.training.threads)
        }
    }

    public var run: Run
    /// The run drawn as the reference of the ratio panels.
    public var reference: Run?
    /// Validation jets to score for the ROC, score and input plots.
    public var maxJets: Int
    /// A transformer's attention maps average the first this many of those validation jets...
    public var attentionJets: Int
    /// ...over the first this many constituents of each (at most the model's `maxConstituents`).
    public var attentionSlots: Int

    public init(run: Run, reference: Run? = nil, maxJets: Int = 20_000, attentionJets: Int = 2_000, attentionSlots: Int = 30) {
        precondition(attentionJets > 0 && attentionSlots > 0, "RunReport: attentionJets and attentionSlots must be > 0")
        self.run = run
        self.reference = reference
        self.maxJets = maxJets
        (self.attentionJets, self.attentionSlots) = (attentionJets, attentionSlots)
    }

    /// The report of the run in `directory`, compared with the one in `reference` when given.
    public init(
        directory: URL, reference: URL? = nil, maxJets: Int = 20_000, attentionJets: Int = 2_000, attentionSlots: Int = 30
    ) throws {
        self.init(
            run: try Run(directory: directory), reference: try reference.map { try Run(directory: $0) },
            maxJets: maxJets, attentionJets: attentionJets, attentionSlots: attentionSlots)
    }

    /// Builds the page and writes it to `destination` (default `report.html` in the run directory) with each
    /// plot as `plots/<n>.svg` beside it and, for a transformer, its attention maps as `attention.json`; returns
    /// the page and where it went.
    @discardableResult
    public func write(to destination: URL? = nil) throws -> (page: HTMLReport, destination: URL) {
        let (page, attention) = try contents()
        let destination = destination ?? run.directory.appendingPathComponent("report.html")
        try page.write(to: destination)
        let directory = destination.deletingLastPathComponent()
        try page.writePlots(to: directory.appendingPathComponent("plots"))
        if let attention { try MetricsJSON.write(attention, to: directory.appendingPathComponent("attention.json")) }
        return (page, destination)
    }

    /// The page.
    public func html() throws -> HTMLReport { try contents().page }

    /// The page and the attention maps it shows (nil unless the run trained a transformer).
    private func contents() throws -> (page: HTMLReport, attention: AttentionMaps?) {
        var sections = [summary()]
        var attention: AttentionMaps?
        let histories = (reference?.histories ?? []) + run.histories
        if !histories.isEmpty { sections.append(HTMLReport.Section(training: histories)) }
        if let validation = try run.validationJets(maxJets: maxJets) {
            sections += try validationSections(validation)
            attention = try attentionMaps(validation)
            if let attention { sections.append(HTMLReport.Section(attention: attention, title: "Attention")) }
        }
        sections += try evaluationSections()
        for url in Self.files(named: "saliency.json", in: run.directory) {
            let report = try MetricsJSON.read(SaliencyReport.self, from: url)
            sections.append(HTMLReport.Section(saliency: report, title: "Saliency (\(relativePath(url)))"))
        }
        for url in Self.files(named: "closure.json", in: run.directory) {
            let report = try MetricsJSON.read(ClosureReport.self, from: url)
            sections.append(HTMLReport.Section(closure: report, title: "Reweighting closure (\(relativePath(url)))"))
        }
        if let config = run.config {
            sections.append(HTMLReport.Section(title: "Run config", blocks: [
                .paragraph("The resolved config (every default filled in), as in config.json."),
                .preformatted(try config.jsonString()),
            ]))
        }
        let title = "JetTag report: \(run.name)" + (reference.map { " compared with \($0.name)" } ?? "")
        return (HTMLReport(title: title, sections: sections), attention)
    }

    /// A transformer's mean attention maps on the first ``attentionJets`` validation jets per class (of the
    /// first member of a k-fold or ensemble model file); nil for any other model.
    private func attentionMaps(_ validation: ScoredJets) throws -> AttentionMaps? {
        guard let file = run.model, file.architecture.kind == .transformer,
              var model = try file.architecture.makeModel(seed: 0) as? TransformerModel
        else { return nil }
        try model.load(file.members[0])
        let count = min(attentionJets, validation.jets.count)
        return try model.attentionMaps(
            validation.jets.batch(0..<count), labels: Array(validation.labels.prefix(count)),
            classNames: validation.classNames, slots: min(attentionSlots, file.features.maxConstituents))
    }

    /// Where the run lives, what it trained and on which files.
    private func summary() -> HTMLReport.Section {
        var rows = [["Run directory", run.directory.path]]
        if let reference { rows.append(["Compared with", reference.directory.path]) }
        if let config = run.config {
            rows += [
                ["Tagger", config.taggerName], ["Architecture", config.model.kind.rawValue],
                ["Classes", config.classNames.joined(separator: ", ")],
                ["Input files", config.data.files.joined(separator: ", ")],
                ["Constituent inputs", config.features.constituentVariables.map(\.name).joined(separator: ", ")],
                ["Jet inputs", config.features.jetVariables.map(\.name).joined(separator: ", ").nonEmpty ?? "none"],
                ["Max constituents", "\(config.features.maxConstituents)"],
                ["Epochs, batch size, learning rate", "\(config.training.epochs), \(config.training.batchSize), \(config.training.learningRate)"],
            ]
        }
        if let model = run.model {
            rows.append(["Model file", "model.h5 (\(model.tagger), \(model.members.count) member(s), code \(ModelFile.codeVersion))"])
            if let parent = model.parent {
                let frozen = run.config?.training.freeze.joined(separator: ", ").nonEmpty.map { "; frozen: \($0)" } ?? ""
                rows.append(["Fine-tuned from", "\(parent.path) (SHA-256 \(parent.sha256))\(frozen)"])
            }
        }
        return HTMLReport.Section(title: "Run", blocks: [.table(HTMLReport.Table(header: ["Setting", "Value"], rows: rows))])
    }

    /// Data summary, ROC and scores (against the reference run's when comparing) and input distributions.
    private func validationSections(_ validation: ScoredJets) throws -> [HTMLReport.Section] {
        let classNames = validation.classNames
        let rows = classNames.enumerated().map { c, name in
            let members = validation.jets.labels.indices.filter { validation.jets.labels[$0] == c }
            let sum = members.reduce(0.0) { $0 + Double(validation.jets.weights[$1]) }
            return [name, "\(members.count)", HTMLReport.Table.format(sum)]
        }
        let data = HTMLReport.Section(title: "Validation data", blocks: [
            .paragraph(
                "The model's validation split (the jets training held out to choose the best epoch), first \(validation.jets.count) "
                    + "jets. Event weights are as read from the files, before any class weighting."),
            .table(HTMLReport.Table(header: ["Class", "Jets", "Sum of event weights"], rows: rows)),
        ])
        var curves = [(name: run.name, roc: try ROCSummary(validation.rocCurve()))]
        if let referenceJets = try reference?.validationJets(maxJets: maxJets), let reference {
            curves.insert((reference.name, try ROCSummary(referenceJets.rocCurve())), at: 0)
        }
        let performance = HTMLReport.Section(
            performance: "Performance on the validation split",
            description: "Signal: \(classNames[validation.signalClass]) jets; background: "
                + "\(classNames.enumerated().filter { $0.offset != validation.signalClass }.map(\.element).joined(separator: ", ")). "
                + "Signal efficiency εS is the fraction of signal passing a score cut, background rejection 1/εB the inverse "
                + "fraction of background passing it; AUC is the area under εS against εB (0.5 = no separation).",
            curves: curves, scoreHistograms: try scoreHistograms(validation), scoreLabel: validation.scoreLabel)
        let model = run.model!
        let inputs = HTMLReport.Section(
            inputs: NetworkInputs(validation.jets), constituentFeatures: model.features.constituentVariables.map(\.name),
            jetFeatures: model.features.jetVariables.map(\.name), classNames: classNames)
        return [data, performance, inputs]
    }

    /// The signal score per true class, 50 bins over [0, 1] for a probability, over the observed range for a discriminant.
    private func scoreHistograms(_ jets: ScoredJets) throws -> [(className: String, histogram: Histogram)] {
        let (low, high) = jets.discriminant == nil ? (0.0, 1.0) : (Double(jets.scores.min()!), Double(jets.scores.max()!).nextUp)
        let histograms = try Histogram.perClass(
            jets.scores, labels: jets.labels, weights: jets.jets.weights, classCount: jets.classNames.count, binCount: 50,
            lowerEdge: low, upperEdge: high)
        return zip(jets.classNames, histograms).filter { $0.1.inRange.sumWeights > 0 }
            .map { (className: $0.0, histogram: $0.1) }
    }

    /// One section per `jettag evaluate` output, with the reference run's output of the same name when comparing.
    private func evaluationSections() throws -> [HTMLReport.Section] {
        try Self.files(named: "metrics.json", in: run.directory).map { url in
            let report = try MetricsJSON.read(EvaluationReport.self, from: url)
            let place = relativePath(url)
            var curves = [(name: run.name, roc: report.roc)]
            if let reference {
                let mirrored = reference.directory.appendingPathComponent(place)
                if let other = try? MetricsJSON.read(EvaluationReport.self, from: mirrored) {
                    curves.insert((reference.name, other.roc), at: 0)
                }
            }
            var section = HTMLReport.Section(
                performance: "Evaluation (\(place))",
                description: "jettag evaluate of \(report.model) on \(report.jets) jets: signal \(report.signalClass).",
                curves: curves,
                scoreHistograms: report.classNames.compactMap { name in report.scoreHistograms[name].map { (name, $0) } },
                scoreLabel: SignalScore.label(discriminant: report.discriminant, signalClass: report.signalClass))
            section.blocks.append(.table(HTMLReport.Table(
                header: ["Class", "Precision", "Recall", "F1", "Support"],
                rows: report.precisionRecall.map { score in
                    [report.classNames[score.classIndex], String(format: "%.4f", score.precision), String(format: "%.4f", score.recall),
                     String(format: "%.4f", score.f1), HTMLReport.Table.format(score.support)]
                })))
            section.blocks.append(.paragraph(
                "Confusion matrix (rows: true class, columns: predicted"
                    + (report.threshold.map { ", signal when p(\(report.signalClass)) >= \($0)" } ?? ", most probable class") + "):"))
            section.blocks.append(.table(HTMLReport.Table(
                header: ["true \\ predicted"] + report.classNames,
                rows: report.confusionMatrix.matrix.enumerated().map { c, row in
                    [report.classNames[c]] + row.map { HTMLReport.Table.format($0) }
                })))
            if let calibration = report.calibration {
                section.blocks.append(.table(HTMLReport.Table(
                    header: ["Class", "Expected calibration error"],
                    rows: calibration.map { [$0.className, String(format: "%.4f", $0.expectedCalibrationError)] })))
                for diagram in calibration {
                    section.blocks.append(.figure(
                        Plot.reliability([(report.tagger, diagram)], className: diagram.className),
                        caption: "Reliability of p(\(diagram.className)): observed fraction against the weighted mean "
                            + "predicted probability in 10 bins, binomial errors from effective counts."))
                }
            }
            if let spread = report.spread {
                section.blocks.append(.paragraph(
                    "Spread of the probabilities over \(spread.source == "ensemble" ? "the ensemble members" : spread.source == "mc_dropout" ? "the Monte-Carlo dropout passes" : "every pass of every member") "
                        + "(weighted mean of the per-jet standard deviation, by true class):"))
                section.blocks.append(.table(HTMLReport.Table(
                    header: ["True class"] + report.classNames.map { "std p(\($0))" },
                    rows: [["all"] + report.classNames.map { String(format: "%.4f", spread.meanStd[$0] ?? .nan) }]
                        + report.classNames.map { truth in
                            [truth] + report.classNames.map { String(format: "%.4f", spread.meanStdByTrueClass[truth]?[$0] ?? .nan) }
                        })))
            }
            return section
        }
    }

    private func relativePath(_ url: URL) -> String {
        let base = run.directory.standardizedFileURL.path
        let path = url.deletingLastPathComponent().standardizedFileURL.path
        return path == base ? "." : String(path.dropFirst(base.count + 1))
    }

    /// `name` in `directory` and in its immediate subdirectories (sorted).
    static func files(named name: String, in directory: URL) -> [URL] {
        let children = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.sorted() ?? []
        return ([directory] + children.map { directory.appendingPathComponent($0) })
            .map { $0.appendingPathComponent(name) }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
    }
}

extension TrainingEpoch {
    /// The report's view of an epoch in history.json.
    fileprivate init(_ record: EpochRecord) {
        self.init(
            epoch: record.epoch, trainingLoss: record.trainingLoss, validationLoss: record.validationLoss,
            learningRate: Double(record.learningRate), seconds: record.seconds, jetsPerSecond: record.jetsPerSecond)
    }
}

extension NetworkInputs {
    /// The report's view of a set of standardised jets.
    fileprivate init(_ jets: JetSet) {
        self.init(
            constituents: jets.inputs.constituents.storage, offsets: jets.inputs.offsets.offsets,
            jetFeatures: jets.inputs.jetFeatures?.storage ?? [],
            labels: jets.labels.map(Int.init), weights: jets.weights)
    }
}

extension String {
    /// nil for the empty string.
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
