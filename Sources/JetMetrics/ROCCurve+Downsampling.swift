extension ROCCurve {
    /// The same curve with at most `maxPoints` points, for plots and CSV files.
    ///
    /// Keeps both ends, half of the budget evenly spaced in point index (following where the thresholds
    /// are dense) and half at the first point past each step of an even grid in eps_S (so that sparse
    /// stretches of the curve keep their shape). `auc`, `aucError`, totals and warnings are those of the full curve.
    ///
    /// - Parameter maxPoints: at least 2.
    public func downsampled(maxPoints: Int = 1000) -> ROCCurve {
        precondition(maxPoints >= 2, "a curve needs at least its two end points")
        guard count > maxPoints else { return self }
        let byIndex = maxPoints / 2
        let byEfficiency = maxPoints - byIndex
        var kept = Set<Int>()
        for j in 0..<byIndex {
            kept.insert(j * (count - 1) / max(byIndex - 1, 1))
        }
        var k = 0
        for j in 0..<byEfficiency {
            let grid = Double(j) / Double(max(byEfficiency - 1, 1))
            while k < count - 1, signalEfficiency[k] < grid { k += 1 }
            kept.insert(k)
        }
        kept.insert(0)
        kept.insert(count - 1)
        let indices = kept.sorted()
        return ROCCurve(
            thresholds: indices.map { thresholds[$0] },
            signalEfficiency: indices.map { signalEfficiency[$0] },
            backgroundEfficiency: indices.map { backgroundEfficiency[$0] },
            auc: auc, aucError: aucError, signal: signal, background: background, warnings: warnings)
    }

    /// Memberwise: for subsets of an existing curve.
    private init(
        thresholds: [Double], signalEfficiency: [Double], backgroundEfficiency: [Double], auc: Double,
        aucError: Double, signal: WeightSums, background: WeightSums, warnings: [MetricWarning]
    ) {
        self.thresholds = thresholds
        self.signalEfficiency = signalEfficiency
        self.backgroundEfficiency = backgroundEfficiency
        self.auc = auc
        self.aucError = aucError
        self.signal = signal
        self.background = background
        self.warnings = warnings
    }
}
