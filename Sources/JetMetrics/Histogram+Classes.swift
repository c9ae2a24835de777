extension Histogram {
    /// One weighted histogram of `values` per class: element c holds the jets whose label is c, `binCount` bins over
    /// [lowerEdge, upperEdge).
    ///
    /// - Parameters:
    ///   - values: a value per jet (e.g. the signal score).
    ///   - labels: the class of each jet, in `0..<classCount`.
    ///   - weights: the signed event weight of each jet.
    public static func perClass(
        _ values: [Float], labels: [Int], weights: [Float], classCount: Int, binCount: Int, lowerEdge: Double,
        upperEdge: Double
    ) throws(JetMetricsError) -> [Histogram] {
        try checkLength("labels", count: labels.count, expected: values.count)
        var classValues = [[Float]](repeating: [], count: classCount)
        var classWeights = [[Float]](repeating: [], count: classCount)
        for (jet, label) in labels.enumerated() {
            guard (0..<classCount).contains(label) else {
                throw .classOutOfRange(array: "labels", index: jet, value: label, classCount: classCount)
            }
            classValues[label].append(values[jet])
            classWeights[label].append(weights[jet])
        }
        var histograms: [Histogram] = []
        for c in 0..<classCount {
            var histogram = try Histogram(binCount: binCount, lowerEdge: lowerEdge, upperEdge: upperEdge)
            try histogram.fill(classValues[c], weights: classWeights[c])
            histograms.append(histogram)
        }
        return histograms
    }
}
