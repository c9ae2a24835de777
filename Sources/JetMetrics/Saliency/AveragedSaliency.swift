/// Mean saliency over the jets of one selection.
///
/// The mean at rank p divides by `rankCounts[p]`, the number of selected jets that have a p-th constituent,
/// so it is the typical saliency of a constituent at that rank when it exists; ranks no selected jet reaches
/// are 0. For a fixed-multiplicity selection (N constituents) every rank below N has all jets.
///
/// JSON keys: `selection`, `jet_count`, `rank_counts`, `mean_signed`, `mean_absolute`.
public struct AveragedSaliency: Codable, Equatable, Sendable {
    public var selection: SaliencySelection
    /// Number of selected jets.
    public var jetCount: Int
    /// [P] number of selected jets with a constituent at each rank.
    public var rankCounts: [Int]
    /// Mean of the signed values [P, F].
    public var meanSigned: SaliencyMap
    /// Mean of the absolute values [P, F].
    public var meanAbsolute: SaliencyMap

    public init(
        selection: SaliencySelection, jetCount: Int, rankCounts: [Int], meanSigned: SaliencyMap,
        meanAbsolute: SaliencyMap
    ) {
        self.selection = selection
        self.jetCount = jetCount
        self.rankCounts = rankCounts
        self.meanSigned = meanSigned
        self.meanAbsolute = meanAbsolute
    }

    enum CodingKeys: String, CodingKey {
        case selection
        case jetCount = "jet_count"
        case rankCounts = "rank_counts"
        case meanSigned = "mean_signed"
        case meanAbsolute = "mean_absolute"
    }
}
