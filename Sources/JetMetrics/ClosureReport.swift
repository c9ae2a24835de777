import Foundation

/// Everything `jettag reweight closure` measures: per observable histograms and chi-squares, the weight
/// diagnostics, the classifier two-sample test, and counters from applying the weights.
///
/// JSON keys: `observables` (``ObservableClosure`` list), `weights` (``WeightDiagnostics``), `two_sample`
/// (``TwoSampleAUC``, absent when not run), `counters` (name -> count, e.g. clipped classifier outputs), and
/// `variations` (``WeightVariationsSummary``, absent without weight variations).
public struct ClosureReport: Codable, Equatable, Sendable {
    public var observables: [ObservableClosure]
    public var weights: WeightDiagnostics
    public var twoSample: TwoSampleAUC?
    public var counters: [String: Int]
    public var variations: WeightVariationsSummary?

    public init(
        observables: [ObservableClosure], weights: WeightDiagnostics, twoSample: TwoSampleAUC?, counters: [String: Int],
        variations: WeightVariationsSummary? = nil
    ) {
        self.observables = observables
        self.weights = weights
        self.twoSample = twoSample
        self.counters = counters
        self.variations = variations
    }

    /// One row per observable: chi2, ndf and chi2/ndf before and after (`observable` is the row number in
    /// ``observables``; the names are in the JSON), and with weight variations `chi2_after_with_variations` and
    /// `chi2_per_ndf_after_with_variations`.
    public var summaryTable: CSVTable {
        var table = CSVTable(columns: [
            ("observable", observables.indices.map(Double.init)),
            ("chi2_before", observables.map(\.chi2Before.chi2)), ("ndf_before", observables.map { Double($0.chi2Before.ndf) }),
            ("chi2_per_ndf_before", observables.map(\.chi2Before.chi2PerNdf)),
            ("chi2_after", observables.map(\.chi2After.chi2)), ("ndf_after", observables.map { Double($0.chi2After.ndf) }),
            ("chi2_per_ndf_after", observables.map(\.chi2After.chi2PerNdf)),
        ])
        let withVariations = observables.compactMap(\.chi2AfterWithVariations)
        if !withVariations.isEmpty && withVariations.count == observables.count {
            table.columnNames += ["chi2_after_with_variations", "chi2_per_ndf_after_with_variations"]
            table.columns += [withVariations.map(\.chi2), withVariations.map(\.chi2PerNdf)]
        }
        return table
    }

    /// Writes `closure.json`, `closure_summary.csv` and `closure_<observable>.csv` into `directory`.
    public func write(to directory: URL) throws(JetMetricsError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(path: directory.path, error: error)
        }
        try MetricsJSON.write(self, to: directory.appendingPathComponent("closure.json"))
        try summaryTable.write(to: directory.appendingPathComponent("closure_summary.csv"))
        for observable in observables {
            try observable.csvTable.write(to: directory.appendingPathComponent("closure_\(observable.name).csv"))
        }
    }

    private enum CodingKeys: String, CodingKey {
        case observables, weights, twoSample = "two_sample", counters, variations
    }
}

/// The weight variations a closure compared: how many, and of what kind (`ensemble` members or `bootstrap`
/// replicas). JSON keys: `count`, `kind`.
public struct WeightVariationsSummary: Codable, Equatable, Sendable {
    public var count: Int
    public var kind: String

    public init(count: Int, kind: String) {
        self.count = count
        self.kind = kind
    }
}
