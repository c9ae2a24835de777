import JetMetrics

extension IntegratedGradientsOptions {
    /// The (alpha, weight) points of the rule; the weights sum to 1.
    var nodes: [(alpha: Float, weight: Double)] {
        let m = Double(steps)
        switch rule {
        case .midpoint:
            return (0..<steps).map { (Float((Double($0) + 0.5) / m), 1 / m) }
        case .trapezoid:
            return (0...steps).map { k in (Float(Double(k) / m), k == 0 || k == steps ? 0.5 / m : 1 / m) }
        }
    }

    /// Throws unless `steps` is positive and the baseline has one value per feature.
    func validate(featureCount: Int) throws(JetMetricsError) {
        guard steps > 0 else {
            throw .invalidArgument(name: "integrated gradients steps", value: "\(steps)", expected: "a positive integer")
        }
        if let baseline {
            try checkLength("integrated gradients baseline", count: baseline.count, expected: featureCount)
            try checkFinite("integrated gradients baseline", baseline)
        }
    }
}
