import JetData

/// Fits the missing centres and scales of a `FeatureSpec` on training batches, streaming.
///
/// Each variable's raw values are taken over the real constituents the network sees (the hardest
/// `maxConstituents` of each jet; padding never counts) and over all jets for jet variables, batch by batch.
/// With `spec.standardization`:
/// - `meanStd`: a missing `subtractBy` becomes the mean, a missing `multiplyBy` 1 / population standard
///   deviation (accumulated with `RunningMoments`);
/// - `robust` (weaver's "auto"): the median, and 1 / max(p84 - median, median - p16), from numpy-style
///   percentiles of a `QuantileSample` (exact up to its capacity, a seeded reservoir sample beyond).
///
/// A zero width gives scale 1, as in weaver. Values given in the spec are kept. Unweighted, like weaver. The 0/1
/// particle-ID flags (`ConstituentVariable.isParticleIDFlag`) are not fitted: centre 0, scale 1, as ParT feeds them.
public struct StandardizationFitter: Sendable {
    public let spec: FeatureSpec
    /// Moments per constituent variable, in spec order.
    public private(set) var constituentMoments: [RunningMoments]
    /// Moments per jet variable, in spec order.
    public private(set) var jetMoments: [RunningMoments]
    /// Value samples per constituent and per jet variable (robust standardisation only; empty otherwise).
    private var constituentSamples: [QuantileSample]
    private var jetSamples: [QuantileSample]

    public init(spec: FeatureSpec) throws {
        try spec.validate()
        self.spec = spec
        constituentMoments = Array(repeating: RunningMoments(), count: spec.constituentVariables.count)
        jetMoments = Array(repeating: RunningMoments(), count: spec.jetVariables.count)
        let robust = spec.standardization == .robust
        constituentSamples = robust ? spec.constituentVariables.indices.map { QuantileSample(seed: UInt64($0)) } : []
        jetSamples = robust ? spec.jetVariables.indices.map { QuantileSample(seed: UInt64(1000 + $0)) } : []
    }

    /// Adds one batch of training jets; `files` (the stream's, by `batch.fileIndices`) are named in errors.
    public mutating func accumulate(_ batch: JetBatch, files: [String] = []) throws {
        let raw = try RawFeatures(spec: spec, batch: batch, files: files)
        Self.add(raw.constituentColumns, to: &constituentMoments, &constituentSamples)
        Self.add(raw.jetColumns, to: &jetMoments, &jetSamples)
    }

    /// Adds column f to moments f and, when fitting quantiles, sample f.
    private static func add(_ columns: [[Float]], to moments: inout [RunningMoments], _ samples: inout [QuantileSample]) {
        for (feature, column) in columns.enumerated() {
            column.withUnsafeBufferPointer { values in
                moments[feature].add(values)
                if !samples.isEmpty { samples[feature].add(values) }
            }
        }
    }

    /// The spec with every missing centre and scale filled from what was accumulated.
    ///
    /// - Throws: `JetFeaturesError.noEntriesToFit` for a variable that needs fitting but saw no entries.
    public func fittedSpec() throws -> FeatureSpec {
        var fitted = spec
        fitted.constituentVariables = try spec.constituentVariables.indices.map {
            var variable = spec.constituentVariables[$0]
            if spec.newVariables[variable.name] == nil, ConstituentVariable(name: variable.name).isParticleIDFlag {
                variable.subtractBy = variable.subtractBy ?? 0
                variable.multiplyBy = variable.multiplyBy ?? 1
            }
            return try fit(variable, constituentMoments[$0], constituentSamples.isEmpty ? nil : constituentSamples[$0])
        }
        fitted.jetVariables = try spec.jetVariables.indices.map {
            try fit(spec.jetVariables[$0], jetMoments[$0], jetSamples.isEmpty ? nil : jetSamples[$0])
        }
        return fitted
    }

    private func fit(_ variable: VariableSpec, _ moments: RunningMoments, _ sample: QuantileSample?) throws -> VariableSpec {
        guard !variable.isStandardized else { return variable }
        guard moments.count > 0 else { throw JetFeaturesError.noEntriesToFit(variable: variable.name) }
        let (centre, width): (Double, Double)
        if let percentiles = sample?.percentiles([16, 50, 84]) {
            centre = percentiles[1]
            width = max(percentiles[2] - percentiles[1], percentiles[1] - percentiles[0])
        } else {
            (centre, width) = (moments.mean, moments.standardDeviation)
        }
        var fitted = variable
        fitted.subtractBy = variable.subtractBy ?? Float(centre)
        fitted.multiplyBy = variable.multiplyBy ?? (width > 0 ? Float(1 / width) : 1)
        return fitted
    }
}
