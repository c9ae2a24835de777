import JetData

/// Fits the missing centres and scales of a `FeatureSpec` on training batches, streaming.
///
/// Method: for each variable the mean and population standard deviation of its raw values over the real
/// constituents the network sees (the hardest `maxConstituents` of each jet; padding never counts) and over
/// all jets for jet variables, accumulated batch by batch
/// with `RunningMoments`. A missing `subtractBy` becomes the mean, a missing `multiplyBy` becomes
/// 1 / standard deviation (1 when the standard deviation is 0, as in weaver). Values given in the spec are
/// kept. Unweighted, like weaver's "auto" preprocessing.
public struct StandardizationFitter: Sendable {
    public let spec: FeatureSpec
    /// Moments per constituent variable, in spec order.
    public private(set) var constituentMoments: [RunningMoments]
    /// Moments per jet variable, in spec order.
    public private(set) var jetMoments: [RunningMoments]

    public init(spec: FeatureSpec) throws {
        try spec.validate()
        self.spec = spec
        constituentMoments = Array(repeating: RunningMoments(), count: spec.constituentVariables.count)
        jetMoments = Array(repeating: RunningMoments(), count: spec.jetVariables.count)
    }

    /// Adds one batch of training jets.
    public mutating func accumulate(_ batch: JetBatch) throws {
        let raw = try RawFeatures(spec: spec, batch: batch)
        let featureCount = spec.constituentVariables.count
        var column = [Float]()
        column.reserveCapacity(raw.kept.reduce(0, +))
        for feature in 0..<featureCount {
            column.removeAll(keepingCapacity: true)
            for b in 0..<raw.count {
                for j in 0..<raw.kept[b] {
                    column.append(raw.constituentValues[(b * raw.slots + j) * featureCount + feature])
                }
            }
            column.withUnsafeBufferPointer { constituentMoments[feature].add($0) }
        }
        let jetCount = spec.jetVariables.count
        for feature in 0..<jetCount {
            column.removeAll(keepingCapacity: true)
            for b in 0..<raw.count { column.append(raw.jetValues[b * jetCount + feature]) }
            column.withUnsafeBufferPointer { jetMoments[feature].add($0) }
        }
    }

    /// The spec with every missing centre and scale filled from the accumulated moments.
    ///
    /// - Throws: `JetFeaturesError.noEntriesToFit` for a variable that needs fitting but saw no entries.
    public func fittedSpec() throws -> FeatureSpec {
        var fitted = spec
        fitted.constituentVariables = try zip(spec.constituentVariables, constituentMoments).map(Self.fit)
        fitted.jetVariables = try zip(spec.jetVariables, jetMoments).map(Self.fit)
        return fitted
    }

    private static func fit(_ variable: VariableSpec, _ moments: RunningMoments) throws -> VariableSpec {
        guard !variable.isStandardized else { return variable }
        guard moments.count > 0 else { throw JetFeaturesError.noEntriesToFit(variable: variable.name) }
        var fitted = variable
        fitted.subtractBy = variable.subtractBy ?? Float(moments.mean)
        let deviation = moments.standardDeviation
        fitted.multiplyBy = variable.multiplyBy ?? (deviation > 0 ? Float(1 / deviation) : 1)
        return fitted
    }
}
