/// The completeness check of integrated gradients: per jet, the sum of the attributions against
/// output(x) - output(x'), which it equals exactly in the limit of infinitely many steps. Errors that are
/// large compared with the output differences mean the number of steps is too small.
///
/// The relative error is |sum - (output - baseline output)| / |output - baseline output| (0 when both
/// are 0, +inf when only the difference is 0).
///
/// JSON keys: `output`, `baseline_output`, `attribution_sum`, `absolute_error`, `relative_error` (per jet, in
/// jet order), `max_absolute_error`, `mean_absolute_error`, `max_relative_error`, `mean_relative_error`.
public struct CompletenessCheck: Codable, Equatable, Sendable {
    public var output: [Double]
    public var baselineOutput: [Double]
    public var attributionSum: [Double]
    public var absoluteError: [Double]
    public var relativeError: [Double]
    public var maxAbsoluteError: Double
    public var meanAbsoluteError: Double
    public var maxRelativeError: Double
    public var meanRelativeError: Double

    /// Errors and their summary from per-jet values (all [B]; the summary of no jets is 0).
    public init(output: [Double], baselineOutput: [Double], attributionSum: [Double]) {
        precondition(output.count == baselineOutput.count && output.count == attributionSum.count)
        let absolute = output.indices.map { Swift.abs(attributionSum[$0] - (output[$0] - baselineOutput[$0])) }
        let relative = output.indices.map { jet in
            let difference = Swift.abs(output[jet] - baselineOutput[jet])
            return difference > 0 ? absolute[jet] / difference : (absolute[jet] == 0 ? 0 : .infinity)
        }
        self.output = output
        self.baselineOutput = baselineOutput
        self.attributionSum = attributionSum
        absoluteError = absolute
        relativeError = relative
        let count = Double(max(output.count, 1))
        maxAbsoluteError = absolute.max() ?? 0
        meanAbsoluteError = absolute.reduce(0, +) / count
        maxRelativeError = relative.max() ?? 0
        meanRelativeError = relative.reduce(0, +) / count
    }

    enum CodingKeys: String, CodingKey {
        case output
        case baselineOutput = "baseline_output"
        case attributionSum = "attribution_sum"
        case absoluteError = "absolute_error"
        case relativeError = "relative_error"
        case maxAbsoluteError = "max_absolute_error"
        case meanAbsoluteError = "mean_absolute_error"
        case maxRelativeError = "max_relative_error"
        case meanRelativeError = "mean_relative_error"
    }
}
