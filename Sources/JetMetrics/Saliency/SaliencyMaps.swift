/// The maps one saliency method produced: one average per selection and the per-jet maps asked for.
///
/// JSON keys: `averages`, `jets`.
public struct SaliencyMaps: Codable, Equatable, Sendable {
    /// One entry per selection of the analysis (`SaliencyOptions.selections` in JetSaliency), in that order.
    public var averages: [AveragedSaliency]
    /// One entry per requested jet index that was analysed, in index order.
    public var jets: [SingleJetSaliency]

    public init(averages: [AveragedSaliency], jets: [SingleJetSaliency]) {
        self.averages = averages
        self.jets = jets
    }
}
