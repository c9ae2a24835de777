import JetMetrics

/// What a ``SaliencyAnalysis`` computes.
public struct SaliencyOptions: Sendable {
    /// The scalar per jet to differentiate.
    public var target: SaliencyTarget
    /// Names of the F per-constituent input features, in input order.
    public var featureNames: [String]
    /// Ranks P of the maps (usually the model's maximum number of constituents); constituents beyond are left out.
    public var maxConstituents: Int
    /// One averaged map per selection.
    public var selections: [SaliencySelection]
    /// Jets (positions among all jets analysed, across batches) whose individual maps are kept.
    public var jetIndices: [Int]
    /// Integrated gradients as well when set (m + 1 or m forward and backward passes per jet).
    public var integratedGradients: IntegratedGradientsOptions?
    /// Jets per forward/backward pass (bounds memory).
    public var batchSize: Int

    public init(
        target: SaliencyTarget = .binaryLogit, featureNames: [String], maxConstituents: Int,
        selections: [SaliencySelection] = [.all], jetIndices: [Int] = [],
        integratedGradients: IntegratedGradientsOptions? = nil, batchSize: Int = 512
    ) {
        self.target = target
        self.featureNames = featureNames
        self.maxConstituents = maxConstituents
        self.selections = selections
        self.jetIndices = jetIndices
        self.integratedGradients = integratedGradients
        self.batchSize = batchSize
    }

    /// Throws for the first setting out of range.
    func validate() throws(JetMetricsError) {
        guard !featureNames.isEmpty else {
            throw .invalidArgument(name: "saliency feature names", value: "[]", expected: "one name per input feature")
        }
        guard maxConstituents > 0 else {
            throw .invalidArgument(
                name: "saliency maxConstituents", value: "\(maxConstituents)", expected: "a positive integer")
        }
        guard batchSize > 0 else {
            throw .invalidArgument(name: "saliency batch size", value: "\(batchSize)", expected: "a positive integer")
        }
        if let index = jetIndices.first(where: { $0 < 0 }) {
            throw .invalidArgument(name: "saliency jet index", value: "\(index)", expected: "a non-negative jet index")
        }
        try integratedGradients?.validate(featureCount: featureNames.count)
    }
}
