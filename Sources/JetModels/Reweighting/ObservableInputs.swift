import JetData
import JetFeatures

/// Reading jets for a feature spec whose jet variables may name computed observables (`multiplicity`,
/// `width`, `ptd`, see ``JetFeatures/JetObservable``): the stream reads the file fields they need (and every
/// constituent slot, so the observables see the whole jet), and each batch gets them as jet fields before
/// feature extraction.
public struct ObservableInputs: Sendable {
    public let features: FeatureSpec
    /// Observables to add to every batch (the spec's computed ones and `extra`).
    public let observables: [JetObservable]

    /// - Parameter extra: observables needed beyond the spec's (e.g. closure observables).
    public init(features: FeatureSpec, extra: [JetObservable] = []) {
        self.features = features
        let named = features.jetVariables.compactMap { JetObservable(rawValue: JetVariable(name: $0.name).field) }
        var observables: [JetObservable] = []
        for observable in named + extra where !observables.contains(observable) { observables.append(observable) }
        self.observables = observables
    }

    /// Read options for the spec's file fields, the observables' inputs and `jetFields`.
    public func readOptions(
        jetFields: [String] = [], split: JetSplit? = nil, selection: String? = nil, batchSize: Int = 10_000, threads: Int = 1
    ) throws -> JetReadOptions {
        let computed = Set(observables.filter { !$0.isJetField }.map(\.rawValue))
        let fileJetFields = features.requiredJetFields.filter { !computed.contains($0) }
            + JetObservable.requiredJetFields(observables, kinematics: features.jetKinematics) + jetFields
        let constituentFields = features.requiredConstituentFields
            + JetObservable.requiredConstituentFields(observables, kinematics: features.constituentKinematics)
        return JetReadOptions(
            jetFields: fileJetFields.uniqued(), constituentFields: constituentFields.uniqued(), maxConstituents: nil,
            batchSize: batchSize, selection: try selection.map { try JetSelection($0) }, split: split, threads: threads)
    }

    /// `batch` with the observables added as jet fields.
    public func augmented(_ batch: JetBatch) throws -> JetBatch {
        try batch.addingObservables(
            observables, jetKinematics: features.jetKinematics, constituentKinematics: features.constituentKinematics)
    }
}
