/// Which jets an averaged saliency map covers: every criterion that is set must hold.
///
/// A working point is a score cut: ``passing(threshold:name:)`` selects `score >= threshold` (as
/// ``WorkingPoint/threshold``), ``failing(threshold:name:)`` selects `score < threshold`.
///
/// JSON keys: `name`, and when set `label`, `multiplicity`, `min_score`, `max_score`.
public struct SaliencySelection: Codable, Equatable, Sendable {
    /// Shown in reports and plot titles.
    public var name: String
    /// Class label the jets must have.
    public var label: Int?
    /// Exact constituent multiplicity the jets must have (as in the ATLAS DIPS saliency studies).
    public var multiplicity: Int?
    /// Jets need `score >= minScore`.
    public var minScore: Double?
    /// Jets need `score < maxScore`.
    public var maxScore: Double?

    public init(
        name: String, label: Int? = nil, multiplicity: Int? = nil, minScore: Double? = nil, maxScore: Double? = nil
    ) {
        self.name = name
        self.label = label
        self.multiplicity = multiplicity
        self.minScore = minScore
        self.maxScore = maxScore
    }

    /// Every jet.
    public static let all = SaliencySelection(name: "all jets")

    /// Jets of class `label`.
    public static func label(_ label: Int, name: String? = nil) -> SaliencySelection {
        SaliencySelection(name: name ?? "label \(label)", label: label)
    }

    /// Jets with exactly `count` constituents.
    public static func multiplicity(_ count: Int) -> SaliencySelection {
        SaliencySelection(name: "\(count) constituents", multiplicity: count)
    }

    /// Jets passing the working point whose score cut is `threshold` (score >= threshold).
    public static func passing(threshold: Double, name: String? = nil) -> SaliencySelection {
        SaliencySelection(name: name ?? "score >= \(threshold)", minScore: threshold)
    }

    /// Jets failing the working point whose score cut is `threshold` (score < threshold).
    public static func failing(threshold: Double, name: String? = nil) -> SaliencySelection {
        SaliencySelection(name: name ?? "score < \(threshold)", maxScore: threshold)
    }

    enum CodingKeys: String, CodingKey {
        case name, label, multiplicity
        case minScore = "min_score"
        case maxScore = "max_score"
    }
}
