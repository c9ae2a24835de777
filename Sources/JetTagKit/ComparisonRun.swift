import Foundation
import JetCore
import JetMetrics
import JetReport

/// `jettag compare`: several taggers on the same labelled jets, as puma draws them. Writes to a directory:
///
/// - `compare.html`: one self-contained page with every plot and table, and `plots/<n>.svg`;
/// - `summary.csv`: per tagger and background, AUC and, at each working point, cut, eps_B, rejection and their
///   errors and the rejection's ratio to the reference;
/// - `roc_<tagger>_<background>.csv` (down-sampled curves), `binned_<variable>.csv` (efficiency and rejection per
///   bin at each working point), `fraction_scan.csv` (multi-class taggers).
///
/// The signal score is p(signal) for two classes and the discriminant of ``SignalScore`` (with `--fractions`) for
/// more; with more than two classes every background is shown on its own (one ratio panel each).
public struct ComparisonRun {
    /// A jet variable to bin in, with its edges (nil: ten equal bins between the smallest and largest value).
    public struct Binning: Equatable, Sendable {
        public var variable: String
        public var edges: [Double]?

        public init(variable: String, edges: [Double]? = nil) {
            self.variable = variable
            self.edges = edges
        }

        /// Parses `variable=e0,e1,...` (`--bins pt=500,550,600`).
        public init(parsing text: String) throws(JetTagKitError) {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw .invalidCompareOption(option: "--bins", value: text, reason: "expected variable=edge,edge,...")
            }
            let edges = parts[1].split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard edges.count >= 2, edges.allSatisfy({ $0?.isFinite ?? false }),
                zip(edges, edges.dropFirst()).allSatisfy({ $0! < $1! })
            else {
                throw .invalidCompareOption(
                    option: "--bins", value: text, reason: "expected at least two increasing numbers as bin edges")
            }
            self.init(variable: parts[0], edges: edges.map { $0! })
        }
    }

    public var taggers: ComparedTaggers
    /// The reference of the ratio panels (a tagger's shown name); nil for the first.
    public var reference: String?
    public var signalClass: String?
    public var fractions: String?
    public var binnings: [Binning]
    public var workingPoints: [Double]
    public var mode: WorkingPointMode
    /// The working point of the fraction scan.
    public var fractionScanEfficiency: Double
    public var directory: URL

    public init(
        taggers: ComparedTaggers, reference: String? = nil, signalClass: String? = nil, fractions: String? = nil,
        binnings: [Binning] = [Binning(variable: "pt")], workingPoints: [Double] = [0.5, 0.7, 0.77],
        mode: WorkingPointMode = .inclusive, fractionScanEfficiency: Double = 0.7, directory: URL
    ) {
        (self.taggers, self.reference, self.signalClass, self.fractions, self.binnings) =
            (taggers, reference, signalClass, fractions, binnings)
        (self.workingPoints, self.mode, self.fractionScanEfficiency, self.directory) =
            (workingPoints, mode, fractionScanEfficiency, directory)
    }

    /// One tagger's ROC curve against one background class.
    public struct Row {
        public var tagger: String
        public var background: String
        public var auc: Double
        /// ``ROCCurve/aucError``.
        public var aucError: Double
        public var workingPoints: [WorkingPoint]
    }

    /// What one comparison found, for the summary `jettag compare` prints.
    public struct Summary {
        public var taggers: [String]
        public var reference: String
        public var signalClass: String
        public var backgrounds: [String]
        /// Per tagger and background: the ROC curve's AUC and working points.
        public var rows: [Row]
        /// The page written.
        public var page: URL
    }

    /// Computes everything and writes the files.
    @discardableResult
    public func run() throws -> Summary {
        for target in workingPoints + [fractionScanEfficiency] where !(target > 0 && target <= 1) {
            throw JetTagKitError.invalidCompareOption(
                option: "--working-points", value: "\(target)", reason: "a signal efficiency must be in (0, 1]")
        }
        let classNames = taggers.classNames
        let reference = try taggers.index(of: reference)
        let signal = try SignalScore(classNames: classNames, signalClass: signalClass, fractions: fractions)
        let backgrounds = classNames.indices.filter { $0 != signal.signalClass }
        let names = taggers.taggers.map(\.name)
        let scores = try taggers.taggers.map { try signal.scores(probabilities: $0.probabilities) }
        let labels = taggers.labels
        let weights = taggers.weights
        try FileSystemError.wrapping(path: directory.path, action: "cannot create the output directory") {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }

        // ROC curves per tagger and background, the summary table and CSV.
        var curves: [[ROCCurve]] = []
        for tagger in scores.indices {
            curves.append(try backgrounds.map { b in
                try ROCCurve(
                    scores: scores[tagger], labels: labels, signalClass: signal.signalClass, backgroundClasses: [b],
                    weights: weights)
            })
        }
        var rows: [Row] = []
        for (t, name) in names.enumerated() {
            for (k, b) in backgrounds.enumerated() {
                rows.append(Row(
                    tagger: name, background: classNames[b], auc: curves[t][k].auc, aucError: curves[t][k].aucError,
                    workingPoints: try curves[t][k].workingPoints(signalEfficiencies: workingPoints)))
                try curves[t][k].downsampled().csvTable.write(
                    to: directory.appendingPathComponent("roc_\(Self.fileName(name))_\(Self.fileName(classNames[b])).csv"))
            }
        }
        try summaryTable(rows, reference: names[reference]).write(to: directory.appendingPathComponent("summary.csv"))

        let signalName = classNames[signal.signalClass]
        var sections = [overview(names: names, reference: names[reference], signal: signal, backgrounds: backgrounds)]
        sections.append(HTMLReport.Section(title: "ROC curves", blocks: [
            .figure(
                Plot.roc(
                    taggers: names.indices.map { (names[$0], curves[$0]) }, backgrounds: backgrounds.map { classNames[$0] },
                    reference: reference, title: "ROC: \(signalName) jets against \(backgrounds.map { classNames[$0] }.joined(separator: ", "))"),
                caption: "Background rejection 1/εB against signal efficiency εS, bands: binomial errors from effective "
                    + "counts; lower panel(s): rejection divided by \(names[reference])'s, band: each tagger's own error."),
            .table(tableOfRows(rows, reference: names[reference])),
        ]))
        sections.append(try binnedSection(scores: scores, names: names, reference: reference, signal: signal, backgrounds: backgrounds))
        sections.append(try scoreSection(scores: scores, names: names, signal: signal))
        if let discriminant = signal.discriminant, backgrounds.count >= 2 {
            sections.append(try fractionScanSection(discriminant: discriminant, names: names, backgrounds: backgrounds))
        }
        let page = HTMLReport(title: "JetTag comparison: \(names.joined(separator: ", "))", sections: sections)
        let destination = directory.appendingPathComponent("compare.html")
        try page.write(to: destination)
        try page.writePlots(to: directory.appendingPathComponent("plots"))
        return Summary(
            taggers: names, reference: names[reference], signalClass: signalName, backgrounds: backgrounds.map { classNames[$0] },
            rows: rows, page: destination)
    }

    /// Inputs and choices of the comparison.
    private func overview(names: [String], reference: String, signal: SignalScore, backgrounds: [Int]) -> HTMLReport.Section {
        var table = [["Taggers", names.joined(separator: ", ")], ["Reference", reference]]
        table += zip(names, taggers.taggers.map(\.path)).map { ["Scores of \($0)", $1] }
        table += [
            ["Labelled jets", "\(taggers.count) from \(taggers.labelFiles.joined(separator: ", "))"],
            ["Signal", taggers.classNames[signal.signalClass]],
            ["Backgrounds", backgrounds.map { taggers.classNames[$0] }.joined(separator: ", ")],
            ["Score", signal.label],
            ["Working points (signal efficiency)", workingPoints.map { "\($0)" }.joined(separator: ", ")],
            ["Cut in bins", mode == .flat ? "flat: one cut per bin" : "inclusive: one cut for all jets"],
        ]
        for c in taggers.classNames.indices {
            let sums = WeightSums(weights: taggers.labels.indices.filter { taggers.labels[$0] == c }.map { taggers.weights[$0] })
            table.append(["\(taggers.classNames[c]) jets (sum of weights, N_eff)",
                          "\(sums.count) (\(HTMLReport.Table.format(sums.sumWeights)), \(HTMLReport.Table.format(sums.effectiveSampleSize)))"])
        }
        return HTMLReport.Section(title: "Comparison", blocks: [.table(HTMLReport.Table(header: ["", ""], rows: table))])
    }

    /// Rejection and signal efficiency in bins of each variable at each working point.
    private func binnedSection(
        scores: [[Float]], names: [String], reference: Int, signal: SignalScore, backgrounds: [Int]
    ) throws -> HTMLReport.Section {
        var blocks: [HTMLReport.Block] = [.paragraph(
            mode == .flat
                ? "Flat working points: in each bin the cut giving the working point's signal efficiency on that bin's signal jets."
                : "Inclusive working points: one cut, the one giving the working point's signal efficiency on all jets.")]
        var csvText: [[String]] = []
        var csvValues: [[Double]] = []
        for binning in binnings {
            guard let values = taggers.variables[binning.variable] else {
                throw JetTagKitError.invalidCompareOption(
                    option: "--bins", value: binning.variable, reason: "the jets were read without this variable")
            }
            let edges = try binning.edges ?? Self.equalBins(values, variable: binning.variable)
            let label = Plot.observableLabel(binning.variable)
            for target in workingPoints {
                var perBackground: [[BinnedWorkingPoint]] = []
                for b in backgrounds {
                    perBackground.append(try scores.map { tagger in
                        try BinnedWorkingPoint(
                            scores: tagger, labels: taggers.labels, signalClass: signal.signalClass, backgroundClasses: [b],
                            weights: taggers.weights, variable: values, edges: edges, signalEfficiency: target, mode: mode)
                    })
                }
                let wp = "\(Int((target * 100).rounded()))% WP, \(mode.rawValue)"
                for (k, b) in backgrounds.enumerated() {
                    let name = taggers.classNames[b]
                    blocks.append(.figure(
                        Plot.binned(
                            names.indices.map { (names[$0], perBackground[k][$0]) }, quantity: .backgroundRejection,
                            reference: reference, title: "\(name) rejection against \(binning.variable) (\(wp))", xLabel: label,
                            yLabel: "\(name) jet rejection"),
                        caption: "\(name) jet rejection per bin of \(binning.variable) at the \(wp) working point; errors binomial from effective counts."))
                    for (t, tagger) in names.enumerated() {
                        for (bin, value) in perBackground[k][t].bins.enumerated() {
                            csvText.append([tagger, name, binning.variable])
                            csvValues.append([
                                target, edges[bin], edges[bin + 1], value.threshold, value.signal.sumWeights,
                                value.background.sumWeights, value.signalEfficiency, value.signalEfficiencyError,
                                value.backgroundEfficiency, value.backgroundEfficiencyError, value.backgroundRejection,
                                value.backgroundRejectionError,
                            ])
                        }
                    }
                }
                blocks.append(.figure(
                    Plot.binned(
                        names.indices.map { (names[$0], perBackground[0][$0]) }, quantity: .signalEfficiency,
                        reference: reference, title: "Signal efficiency against \(binning.variable) (\(wp))", xLabel: label,
                        yLabel: "\(taggers.classNames[signal.signalClass]) jet efficiency"),
                    caption: "Signal efficiency per bin of \(binning.variable) at the \(wp) working point."))
            }
        }
        let columns = ["working_point", "lower_edge", "upper_edge", "threshold", "signal_sum_weights", "background_sum_weights",
                       "signal_efficiency", "signal_efficiency_error", "background_efficiency", "background_efficiency_error",
                       "background_rejection", "background_rejection_error"]
        try CSVTable(
            textColumns: ["tagger", "background", "variable"].enumerated().map { i, name in
                CSVTable.TextColumn(name: name, values: csvText.map { $0[i] })
            },
            columns: columns.enumerated().map { i, name in (name, csvValues.map { $0[i] }) }
        ).write(to: directory.appendingPathComponent("binned.csv"))
        return HTMLReport.Section(title: "Performance in bins", blocks: blocks)
    }

    /// The signal score per true class for each tagger.
    private func scoreSection(scores: [[Float]], names: [String], signal: SignalScore) throws -> HTMLReport.Section {
        var blocks: [HTMLReport.Block] = []
        for (t, name) in names.enumerated() {
            let (low, high) = signal.discriminant == nil
                ? (0.0, 1.0) : (Double(scores[t].min() ?? 0), Double(scores[t].max() ?? 1).nextUp)
            let histograms = try Histogram.perClass(
                scores[t], labels: taggers.labels, weights: taggers.weights, classCount: taggers.classNames.count,
                binCount: 50, lowerEdge: low, upperEdge: high)
            let shown = zip(taggers.classNames, histograms).filter { $0.1.inRange.sumWeights > 0 }.map { (className: $0.0, histogram: $0.1) }
            blocks.append(.figure(
                try Plot.scoreDistributions(shown, scoreLabel: signal.label, title: "Score distributions: \(name)"),
                caption: "\(name): the signal score per true class, each normalised to unit area."))
        }
        return HTMLReport.Section(title: "Score distributions", blocks: blocks)
    }

    /// The rejection of the first two backgrounds against each other as their fraction in the discriminant varies.
    private func fractionScanSection(
        discriminant: TaggingDiscriminant, names: [String], backgrounds: [Int]
    ) throws -> HTMLReport.Section {
        let (first, second) = (backgrounds[0], backgrounds[1])
        let shared = discriminant.backgroundFractions[discriminant.backgroundClasses.firstIndex(of: first)!]
            + discriminant.backgroundFractions[discriminant.backgroundClasses.firstIndex(of: second)!]
        let chosen = discriminant.backgroundFractions[discriminant.backgroundClasses.firstIndex(of: first)!] / shared
        var scans: [(name: String, scan: FractionScan, chosen: Double?)] = []
        var text: [String] = []
        var values: [[Double]] = []
        for (t, tagger) in taggers.taggers.enumerated() {
            let scan = try FractionScan(
                probabilities: tagger.probabilities, classCount: taggers.classNames.count, labels: taggers.labels,
                weights: taggers.weights, base: discriminant, first: first, second: second,
                signalEfficiency: fractionScanEfficiency)
            scans.append((names[t], scan, chosen))
            for point in scan.points {
                text.append(names[t])
                values.append([point.fraction, point.first.backgroundRejection, point.first.backgroundRejectionError,
                               point.second.backgroundRejection, point.second.backgroundRejectionError])
            }
        }
        let (a, b) = (taggers.classNames[first], taggers.classNames[second])
        try CSVTable(
            textColumns: [CSVTable.TextColumn(name: "tagger", values: text)],
            columns: ["fraction_\(a)", "\(a)_rejection", "\(a)_rejection_error", "\(b)_rejection", "\(b)_rejection_error"]
                .enumerated().map { i, name in (name, values.map { $0[i] }) }
        ).write(to: directory.appendingPathComponent("fraction_scan.csv"))
        return HTMLReport.Section(title: "Fraction scan", blocks: [
            .paragraph(
                "The fraction f of \(a) jets in the discriminant's background mix (\(b) jets: 1 - f, relative to the two) from 0 to 1 "
                    + "at \(Int((fractionScanEfficiency * 100).rounded()))% signal efficiency; the marker is the fraction in use."),
            .figure(
                Plot.fractionScan(scans, firstName: a, secondName: b, title: "Fraction scan"),
                caption: "\(b) jet rejection against \(a) jet rejection as f goes from 0 to 1."),
        ])
    }

    /// The table of AUC and rejections on the page.
    private func tableOfRows(
        _ rows: [Row], reference: String
    ) -> HTMLReport.Table {
        HTMLReport.Table(
            header: ["Tagger", "Background", "AUC"] + workingPoints.map { "1/εB at εS = \($0)" },
            rows: rows.map { row in
                let base = rows.first { $0.tagger == reference && $0.background == row.background }!
                return [row.tagger, row.background, String(format: "%.4f ± %.4f", row.auc, row.aucError)]
                    + zip(row.workingPoints, base.workingPoints).map { point, referencePoint in
                        "\(HTMLReport.Table.format(point.backgroundRejection)) ± \(HTMLReport.Table.format(point.backgroundRejectionError))"
                            + " (×\(String(format: "%.3f", point.backgroundRejection / referencePoint.backgroundRejection)))"
                    }
            })
    }

    /// summary.csv: one row per tagger, background and working point.
    private func summaryTable(
        _ rows: [Row], reference: String
    ) -> CSVTable {
        var text: [[String]] = []
        var values: [[Double]] = []
        for row in rows {
            let base = rows.first { $0.tagger == reference && $0.background == row.background }!
            for (point, referencePoint) in zip(row.workingPoints, base.workingPoints) {
                text.append([row.tagger, row.background])
                values.append([
                    row.auc, row.aucError, point.signalEfficiency, point.threshold, point.backgroundEfficiency, point.backgroundEfficiencyError,
                    point.backgroundRejection, point.backgroundRejectionError,
                    point.backgroundRejection / referencePoint.backgroundRejection,
                ])
            }
        }
        let columns = ["auc", "auc_error", "signal_efficiency", "threshold", "background_efficiency", "background_efficiency_error",
                       "background_rejection", "background_rejection_error", "rejection_ratio_to_reference"]
        return CSVTable(
            textColumns: [CSVTable.TextColumn(name: "tagger", values: text.map { $0[0] }),
                          CSVTable.TextColumn(name: "background", values: text.map { $0[1] })],
            columns: columns.enumerated().map { i, name in (name, values.map { $0[i] }) })
    }

    /// Ten equal bins from the smallest value to just above the largest.
    static func equalBins(_ values: [Float], variable: String) throws(JetTagKitError) -> [Double] {
        guard let low = values.min().map(Double.init), let high = values.max().map(Double.init), high > low else {
            throw .invalidCompareOption(
                option: "--bins", value: variable, reason: "the jets' values do not span a range; give the edges")
        }
        return (0...10).map { low + Double($0) / 10 * (high.nextUp - low) }
    }

    /// `name` with characters other than letters, digits, `-` and `_` replaced by `_`, for file names.
    static func fileName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }
}
