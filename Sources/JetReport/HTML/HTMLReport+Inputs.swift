import JetMetrics

extension HTMLReport.Section {
    /// What the network sees: per input variable, the distribution of its preprocessed (standardised) values
    /// per class, over the real constituents (constituent variables) or the jets (jet variables), each
    /// constituent carrying its jet's event weight; then the event weights per class when they vary.
    ///
    /// - Parameters:
    ///   - jets: standardised inputs with labels and event weights.
    ///   - constituentFeatures, jetFeatures: names of the F and K input columns.
    public init(
        inputs jets: NetworkInputs, constituentFeatures: [String], jetFeatures: [String], classNames: [String],
        title: String = "Input features", bins: Int = 40
    ) {
        var blocks: [HTMLReport.Block] = [
            .paragraph(
                "Network inputs after preprocessing (logarithms, coordinates relative to the jet axis, standardisation "
                    + "with the stored centre and scale, clipping), per true class, each normalised to unit area. "
                    + "\(jets.count) jets."),
        ]
        let constituentClass = (0..<jets.count).flatMap { jet in
            repeatElement(jets.labels[jet], count: jets.offsets[jet + 1] - jets.offsets[jet])
        }
        let constituentWeight = (0..<jets.count).flatMap { jet in
            repeatElement(jets.weights[jet], count: jets.offsets[jet + 1] - jets.offsets[jet])
        }
        let columns: [(name: String, values: [Float], classes: [Int], weights: [Float])] =
            constituentFeatures.enumerated().map { f, name in
                (name, stride(from: f, to: jets.constituents.count, by: constituentFeatures.count).map { jets.constituents[$0] },
                 constituentClass, constituentWeight)
            }
            + jetFeatures.enumerated().map { k, name in
                (name, stride(from: k, to: jets.jetFeatures.count, by: jetFeatures.count).map { jets.jetFeatures[$0] },
                 jets.labels, jets.weights)
            }
        for column in columns {
            guard let histograms = Self.perClass(column.values, classes: column.classes, weights: column.weights,
                                                 classNames: classNames, bins: bins),
                  let plot = try? Plot.featureDistribution(column.name, histograms: histograms)
            else { continue }
            blocks.append(.figure(plot, caption: "\(column.name) after preprocessing, per class."))
        }
        if let low = jets.weights.min(), let high = jets.weights.max(), low < high,
           let histograms = Self.perClass(jets.weights, classes: jets.labels, weights: nil, classNames: classNames, bins: bins)
        {
            blocks.append(.figure(
                Plot.weightDistribution(histograms.map { ("\($0.className) jets", $0.histogram) }),
                caption: "Event weights per class (jets per bin)."))
        } else {
            blocks.append(.paragraph("Every jet has the same event weight (\(jets.weights.first.map { "\($0)" } ?? "none"))."))
        }
        self.init(title: title, blocks: blocks)
    }

    /// Histograms of `values` per class over their common range (nil when the values are empty or constant).
    private static func perClass(
        _ values: [Float], classes: [Int], weights: [Float]?, classNames: [String], bins: Int
    ) -> [(className: String, histogram: Histogram)]? {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max(), low < high else { return nil }
        var result: [(className: String, histogram: Histogram)] = []
        for (c, name) in classNames.enumerated() {
            let members = classes.indices.filter { classes[$0] == c }
            guard !members.isEmpty,
                  var histogram = try? Histogram(binCount: bins, lowerEdge: Double(low), upperEdge: Double(high).nextUp),
                  (try? histogram.fill(members.map { values[$0] }, weights: weights.map { w in members.map { w[$0] } })) != nil,
                  histogram.inRange.sumWeights > 0
            else { continue }
            result.append((name, histogram))
        }
        return result.isEmpty ? nil : result
    }
}
