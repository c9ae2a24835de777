import JetMetrics

/// Which class is signal and the score that ranks jets as signal-like: p(signal) for two classes, for more the
/// discriminant log(p_s / sum_k f_k p_k) over the other classes (``TaggingDiscriminant``), with equal background
/// fractions unless others are given.
public struct SignalScore: Sendable, Equatable {
    public let classNames: [String]
    /// Index of the signal class in ``classNames``.
    public let signalClass: Int
    /// The multi-class discriminant; nil for two classes.
    public let discriminant: TaggingDiscriminant?

    /// - Parameters:
    ///   - signalClass: the signal class's name; nil for the last class.
    ///   - fractions: background fractions as `class=fraction,...` (e.g. `c=0.2,light=0.8`), used with more than
    ///     two classes only; nil for equal fractions.
    /// - Throws: ``JetTagKitError`` for a class the model does not have or a malformed fraction,
    ///   `JetMetricsError` for fractions that do not sum to 1.
    public init(classNames: [String], signalClass: String? = nil, fractions: String? = nil) throws {
        self.classNames = classNames
        let signal = try signalClass.map { name in
            guard let index = classNames.firstIndex(of: name) else {
                throw JetTagKitError.unknownSignalClass(name: name, classNames: classNames)
            }
            return index
        } ?? classNames.count - 1
        self.signalClass = signal
        guard classNames.count > 2 else {
            discriminant = nil
            return
        }
        let others = classNames.indices.filter { $0 != signal }
        discriminant = try TaggingDiscriminant(
            signalClass: signal,
            backgroundFractions: try fractions.map { try Self.backgroundFractions($0, classNames: classNames) }
                ?? others.map { ($0, 1 / Double(others.count)) })
    }

    /// Parses `class=fraction,...` into (class index, fraction) pairs, in the order written.
    public static func backgroundFractions(
        _ text: String, classNames: [String]
    ) throws(JetTagKitError) -> [(classIndex: Int, fraction: Double)] {
        var pairs: [(classIndex: Int, fraction: Double)] = []
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=")
            guard parts.count == 2, let index = classNames.firstIndex(of: String(parts[0])),
                let value = Double(parts[1])
            else {
                throw .invalidFraction(item: String(item), classNames: classNames)
            }
            pairs.append((index, value))
        }
        return pairs
    }

    /// The score of every jet [B] from its class probabilities [B, C] (row-major).
    public func scores(probabilities: [Float]) throws -> [Float] {
        try discriminant?.evaluate(probabilities: probabilities, classCount: classNames.count)
            ?? stride(from: signalClass, to: probabilities.count, by: classNames.count).map { probabilities[$0] }
    }

    /// What the score axis shows: "p(top)" or the discriminant's formula.
    public var label: String { Self.label(discriminant: discriminant, signalClass: classNames[signalClass]) }

    /// "p(`signalClass`)", or "D = " and the discriminant's formula.
    public static func label(discriminant: TaggingDiscriminant?, signalClass: String) -> String {
        discriminant.map { "D = \(SaliencyTarget.discriminant($0).description)" } ?? "p(\(signalClass))"
    }
}
