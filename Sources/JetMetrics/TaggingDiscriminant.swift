import Foundation

/// A log-likelihood-ratio discriminant of one signal class against a weighted mix of background classes:
///
///     D = log((p_s + epsilon) / (sum_k f_k p_k + epsilon))
///
/// The ATLAS b-tagging discriminant is the case s = b with background fractions f_c for c-jets and
/// 1 - f_c for light jets: D_b = log(p_b / (f_c p_c + (1 - f_c) p_u)).
///
/// `epsilon` (default 1e-10) keeps D finite when a probability is exactly 0 (D is then bounded by
/// about +-23); it shifts D noticeably only where p_s or the mix are below ~1e-8. Computed in Double.
///
/// JSON keys: `signal_class`, `background_classes`, `background_fractions`, `epsilon`.
public struct TaggingDiscriminant: Codable, Equatable, Sendable {
    public let signalClass: Int
    /// Background class indices, aligned with `backgroundFractions`.
    public let backgroundClasses: [Int]
    /// Non-negative fractions f_k summing to 1.
    public let backgroundFractions: [Double]
    public let epsilon: Double

    /// - Parameters:
    ///   - signalClass: class index s of the signal probability p_s.
    ///   - backgroundFractions: (class index, fraction f_k) pairs; fractions non-negative and summing to 1
    ///     (within 1e-6), classes distinct and different from `signalClass`.
    ///   - epsilon: positive regulator.
    public init(signalClass: Int, backgroundFractions: [(classIndex: Int, fraction: Double)], epsilon: Double = 1e-10)
        throws(JetMetricsError)
    {
        let classes = backgroundFractions.map(\.classIndex)
        let fractions = backgroundFractions.map(\.fraction)
        let described = "\(backgroundFractions.map { "\($0.classIndex): \($0.fraction)" })"
        guard !classes.isEmpty, Set(classes).count == classes.count, !classes.contains(signalClass),
            classes.allSatisfy({ $0 >= 0 }), signalClass >= 0
        else {
            throw .invalidArgument(
                name: "background classes", value: described,
                expected: "distinct non-negative class indices other than the signal class \(signalClass)")
        }
        guard fractions.allSatisfy({ $0 >= 0 }), Swift.abs(fractions.reduce(0, +) - 1) <= 1e-6 else {
            throw .invalidArgument(
                name: "background fractions", value: described, expected: "non-negative fractions summing to 1")
        }
        guard epsilon > 0 else {
            throw .invalidArgument(name: "epsilon", value: "\(epsilon)", expected: "a positive number")
        }
        self.signalClass = signalClass
        self.backgroundClasses = classes
        self.backgroundFractions = fractions
        self.epsilon = epsilon
    }

    /// The ATLAS b-tagging discriminant log(p_b / (f_c p_c + (1 - f_c) p_u)).
    ///
    /// - Parameters:
    ///   - bClass, cClass, lightClass: class indices of b-, c- and light jets in the probability rows.
    ///   - charmFraction: f_c in [0, 1] (for example 0.018 for DL1r, 0.2 for GN2).
    public static func atlasBTagging(
        bClass: Int, cClass: Int, lightClass: Int, charmFraction: Double, epsilon: Double = 1e-10
    ) throws(JetMetricsError) -> TaggingDiscriminant {
        try TaggingDiscriminant(
            signalClass: bClass,
            backgroundFractions: [(cClass, charmFraction), (lightClass, 1 - charmFraction)], epsilon: epsilon)
    }

    /// D for every jet.
    ///
    /// - Parameters:
    ///   - probabilities: row-major [N, C] class probabilities.
    ///   - classCount: C; every class index used must be below it.
    /// - Returns: N discriminant values.
    public func evaluate(probabilities: [Float], classCount: Int) throws(JetMetricsError) -> [Float] {
        let largest = max(signalClass, backgroundClasses.max() ?? 0)
        guard largest < classCount else {
            throw .classOutOfRange(array: "discriminant classes", index: 0, value: largest, classCount: classCount)
        }
        guard probabilities.count % classCount == 0 else {
            throw .lengthMismatch(
                array: "probabilities", expected: (probabilities.count / classCount + 1) * classCount,
                got: probabilities.count)
        }
        let rows = probabilities.count / classCount
        var values = [Float](repeating: 0, count: rows)
        probabilities.withUnsafeBufferPointer { p in
            for row in 0..<rows {
                let base = row * classCount
                var mix = 0.0
                for (k, c) in backgroundClasses.enumerated() { mix += backgroundFractions[k] * Double(p[base + c]) }
                values[row] = Float(log((Double(p[base + signalClass]) + epsilon) / (mix + epsilon)))
            }
        }
        return values
    }

    enum CodingKeys: String, CodingKey {
        case signalClass = "signal_class"
        case backgroundClasses = "background_classes"
        case backgroundFractions = "background_fractions"
        case epsilon
    }
}
