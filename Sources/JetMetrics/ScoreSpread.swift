/// How much a tagger's class probabilities vary over the members of a seed ensemble or the passes of
/// Monte-Carlo dropout (the epistemic uncertainty), summarised over the evaluated jets: per class, the weighted
/// mean of the per-jet standard deviation of p(class), over all jets and over the jets of each true class.
///
/// JSON keys: `source` (`ensemble`, `mc_dropout` or `ensemble+mc_dropout`), `mean_std` (class name: value),
/// `mean_std_by_true_class` (true class: class name: value).
public struct ScoreSpread: Codable, Sendable, Equatable {
    public var source: String
    public var meanStd: [String: Double]
    public var meanStdByTrueClass: [String: [String: Double]]

    enum CodingKeys: String, CodingKey {
        case source
        case meanStd = "mean_std", meanStdByTrueClass = "mean_std_by_true_class"
    }

    /// - Parameter values: [jets, classes] standard deviations, row-major.
    public init(
        _ values: [Float], source: String, classNames: [String], labels: [Int], weights: [Float]
    ) throws(JetMetricsError) {
        let classCount = classNames.count
        try checkLength("spread", count: values.count, expected: labels.count * classCount)
        try checkFinite("spread", values)
        try checkWeights(weights, expected: labels.count)
        func means(_ jets: [Int]) -> [String: Double] {
            let total = jets.reduce(0.0) { $0 + Double(weights[$1]) }
            return Dictionary(uniqueKeysWithValues: classNames.enumerated().map { c, name in
                (name, jets.reduce(0.0) { $0 + Double(weights[$1]) * Double(values[$1 * classCount + c]) } / total)
            })
        }
        self.source = source
        meanStd = means(Array(labels.indices))
        meanStdByTrueClass = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { c, name in
            (name, means(labels.indices.filter { labels[$0] == c }))
        })
    }
}
