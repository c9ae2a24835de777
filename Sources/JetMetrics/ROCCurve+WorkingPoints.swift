extension ROCCurve {
    /// The working point at signal efficiency `target`, interpolated between the first curve point with
    /// eps_S >= `target` and the point before it.
    ///
    /// - Parameter target: signal efficiency in (0, 1].
    public func workingPoint(signalEfficiency target: Double) throws(JetMetricsError) -> WorkingPoint {
        guard target > 0, target <= 1 else {
            throw .invalidArgument(name: "signal efficiency", value: "\(target)", expected: "a value in (0, 1]")
        }
        // The last point has eps_S == 1 exactly, so an index is always found.
        let k = signalEfficiency.firstIndex { $0 >= target } ?? count - 1
        let previous = max(k - 1, 0)
        let step = signalEfficiency[k] - signalEfficiency[previous]
        let fraction = step > 0 ? (target - signalEfficiency[previous]) / step : 1
        func interpolate(_ values: [Double]) -> Double {
            values[previous] + fraction * (values[k] - values[previous])
        }
        let epsB = interpolate(backgroundEfficiency)
        let threshold = thresholds[previous].isFinite ? interpolate(thresholds) : thresholds[k]
        let epsBError = BinomialUncertainty.efficiencyError(epsB, total: background)
        return WorkingPoint(
            signalEfficiency: target,
            signalEfficiencyError: BinomialUncertainty.efficiencyError(target, total: signal),
            threshold: threshold,
            backgroundEfficiency: epsB,
            backgroundEfficiencyError: epsBError,
            backgroundRejection: 1 / epsB,
            backgroundRejectionError: BinomialUncertainty.rejectionError(efficiency: epsB, efficiencyError: epsBError))
    }

    /// Working points at each of `targets` (default: 0.3, 0.5, 0.7, 0.77).
    public func workingPoints(signalEfficiencies targets: [Double] = standardWorkingPoints) throws(JetMetricsError)
        -> [WorkingPoint]
    {
        var points: [WorkingPoint] = []
        for target in targets { points.append(try workingPoint(signalEfficiency: target)) }
        return points
    }
}
