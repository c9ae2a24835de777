/// puma's fraction scan: how the background fraction in a multi-class discriminant trades the rejection of one
/// background against another at a fixed signal efficiency.
///
/// For each fraction f of the scan, the discriminant is `base` with the fractions of the two scanned classes
/// a and b replaced by f s and (1 - f) s, s being their sum in `base` (the other backgrounds keep theirs; with
/// three classes s = 1 and D = log(p_s / (f p_a + (1 - f) p_b))). At the working point of that discriminant,
/// the rejections of a alone and of b alone are recorded with their binomial errors.
public struct FractionScan: Sendable, Equatable {
    /// One fraction of the scan.
    public struct Point: Sendable, Equatable {
        /// f, the fraction of class a relative to a + b.
        public var fraction: Double
        /// The working point against class a only and against class b only.
        public var first: WorkingPoint
        public var second: WorkingPoint
    }

    public let signalClass: Int
    /// The scanned background classes a and b.
    public let firstClass: Int
    public let secondClass: Int
    public let signalEfficiency: Double
    public let points: [Point]

    /// - Parameters:
    ///   - probabilities: row-major [N, C] class probabilities.
    ///   - labels: N true classes; `weights`: N signed weights or nil.
    ///   - base: the discriminant whose fractions of `first` and `second` are scanned; both must be among its
    ///     background classes.
    ///   - fractions: the values of f, each in [0, 1] (default 0, 0.02, ..., 1).
    ///   - signalEfficiency: the working point, in (0, 1].
    public init(
        probabilities: [Float], classCount: Int, labels: [Int], weights: [Float]? = nil, base: TaggingDiscriminant,
        first: Int, second: Int, fractions: [Double] = (0...50).map { Double($0) / 50 }, signalEfficiency: Double
    ) throws(JetMetricsError) {
        guard let a = base.backgroundClasses.firstIndex(of: first), let b = base.backgroundClasses.firstIndex(of: second),
            a != b
        else {
            throw .invalidArgument(
                name: "fraction scan classes", value: "\(first), \(second)",
                expected: "two different background classes of the discriminant \(base.backgroundClasses)")
        }
        guard !fractions.isEmpty, fractions.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
            throw .invalidArgument(name: "fractions", value: "\(fractions)", expected: "values in [0, 1]")
        }
        let shared = base.backgroundFractions[a] + base.backgroundFractions[b]
        var points: [Point] = []
        for f in fractions {
            var pairs = Array(zip(base.backgroundClasses, base.backgroundFractions))
            pairs[a].1 = f * shared
            pairs[b].1 = (1 - f) * shared
            let discriminant = try TaggingDiscriminant(
                signalClass: base.signalClass, backgroundFractions: pairs.map { ($0.0, $0.1) }, epsilon: base.epsilon)
            let scores = try discriminant.evaluate(probabilities: probabilities, classCount: classCount)
            func point(against background: Int) throws(JetMetricsError) -> WorkingPoint {
                try ROCCurve(
                    scores: scores, labels: labels, signalClass: base.signalClass, backgroundClasses: [background],
                    weights: weights
                ).workingPoint(signalEfficiency: signalEfficiency)
            }
            points.append(Point(fraction: f, first: try point(against: first), second: try point(against: second)))
        }
        self.signalClass = base.signalClass
        (self.firstClass, self.secondClass) = (first, second)
        self.signalEfficiency = signalEfficiency
        self.points = points
    }
}
