import JetMetrics
import JetModels
import JetNN

extension JetModel {
    /// Integrated gradients of the saliency target for every jet, in evaluation mode.
    ///
    /// The baseline x' keeps each jet's constituents and multiplicity and sets their features to
    /// `options.baseline` (0 by default); jet-level features stay at their values. Gradients along the path are
    /// averaged in Double with the weights of `options.rule`.
    ///
    /// - Returns: `attributions` packed [N, F] = (x - x') * average gradient; `values` [B] target at x;
    ///   `baselineValues` [B] target at x'; `attributionSums` [B] per-jet sums of the attributions in Double
    ///   (completeness: they approach values - baselineValues as the number of steps grows).
    /// - Throws: ``JetMetrics/JetMetricsError`` for bad options or a target that does not fit,
    ///   ``JetModels/JetModelsError`` when the batch does not fit the model.
    public mutating func integratedGradients(
        _ jets: PackedJets, target: SaliencyTarget, options: IntegratedGradientsOptions = IntegratedGradientsOptions()
    ) throws -> (attributions: Matrix, values: [Double], baselineValues: [Double], attributionSums: [Double]) {
        let (rows, width) = (jets.constituents.rows, jets.constituents.columns)
        try options.validate(featureCount: width)
        let baseline = options.baseline ?? [Float](repeating: 0, count: width)
        var start = jets
        start.constituents = Matrix(rows: rows, columns: width)
        var difference = Matrix(rows: rows, columns: width)
        for row in 0..<rows {
            for f in 0..<width {
                start.constituents[row, f] = baseline[f]
                difference[row, f] = jets.constituents[row, f] - baseline[f]
            }
        }

        var averageGradient = [Double](repeating: 0, count: rows * width)
        var point = jets
        for (alpha, weight) in options.nodes {
            point.constituents.storage.withUnsafeMutableBufferPointer { x in
                start.constituents.storage.withUnsafeBufferPointer { x0 in
                    difference.storage.withUnsafeBufferPointer { d in
                        for i in x.indices { x[i] = x0[i] + alpha * d[i] }
                    }
                }
            }
            let gradients = try saliencyGradients(point, target: target).gradients
            averageGradient.withUnsafeMutableBufferPointer { average in
                gradients.storage.withUnsafeBufferPointer { g in
                    for i in g.indices { average[i] += weight * Double(g[i]) }
                }
            }
        }

        var attributions = Matrix(rows: rows, columns: width)
        var sums = [Double](repeating: 0, count: jets.jetCount)
        for jet in 0..<jets.jetCount {
            for i in (jets.offsets.offsets[jet] * width)..<(jets.offsets.offsets[jet + 1] * width) {
                let attribution = Double(difference.storage[i]) * averageGradient[i]
                attributions.storage[i] = Float(attribution)
                sums[jet] += attribution
            }
        }
        let values = try saliencyOutputs(jets, target: target)
        let baselineValues = try saliencyOutputs(start, target: target)
        return (attributions, values, baselineValues, sums)
    }
}
