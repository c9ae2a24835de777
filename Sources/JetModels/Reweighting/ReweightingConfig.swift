import Foundation
import JetData
import JetFeatures

/// A reweighting job as written in its YAML config (`jettag reweight train --config C.yaml`): the source and
/// target samples, how negative weights are treated, the density-ratio clipping, the split, the closure
/// observables, and the classifier as a run config's `features`, `model` and `training` sections.
///
/// YAML sections: `source` and `target` (``Sample``), `reweighting` (``Options``), `closure` (``Closure``),
/// `features`, `model`, `training` (as in a training run config), and `data` with only `inMemory` and
/// `shuffleBuffer` (docs/STREAMING.md); the rest of the classifier's `data` section is derived: label 0 is the
/// source, 1 the target.
public struct ReweightingConfig: Codable, Sendable {
    /// One sample: its files and weight field.
    public struct Sample: Codable, Sendable, Equatable {
        /// HDF5 files or glob patterns (required).
        public var files: [String]
        /// Jet field holding the signed event weight.
        public var weightField: String
        /// Selection expression on jet fields (`JetSelection`).
        public var selection: String?

        public init(files: [String], weightField: String = "weight", selection: String? = nil) {
            self.files = files
            self.weightField = weightField
            self.selection = selection
        }

        private enum CodingKeys: String, CodingKey { case files, weightField, selection }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(files: try c.decode([String].self, forKey: .files))
            weightField = try c.decode(.weightField, default: weightField)
            selection = try c.decodeIfPresent(String.self, forKey: .selection)
        }
    }

    /// The `reweighting` section.
    public struct Options: Codable, Sendable, Equatable {
        public var negativeWeights: NegativeWeightStrategy
        /// Classifier outputs are clipped to [epsilon, 1 - epsilon].
        public var epsilon: Float
        /// Upper bound on the density ratio f / (1 - f); nil for none.
        public var cap: Float?
        /// Jets are split by `event_number % modulus` (both jets of an event stay together).
        public var modulus: Int
        /// Training-weight flattening: each jet's training weight is divided by the mean |w| of both samples'
        /// jets in its bin of this observable (20 bins at quantiles). The same factor multiplies both classes at
        /// any x, so the density ratio the classifier learns is unchanged, while steeply weighted spectra
        /// (pT-hat biased samples) get training statistics everywhere. nil: weights as they are.
        public var flattenIn: JetObservable?
        /// Fit a ``LogitCalibration`` of the classifier on the validation folds and apply it before the ratio (not
        /// with `crossTraining`, where most members train on those folds).
        public var calibrate: Bool
        /// Cross-training: with `training.ensemble = n`, the members take turns to validate: member i validates
        /// on fold i % k of the k = trainingFolds + validationFolds and trains on the other k - 1, so every jet
        /// outside the held-out folds trains most members. false: every member trains on `trainingFolds` and
        /// validates on `validationFolds`.
        public var crossTraining: Bool
        /// Bootstrap replicas (0: none): besides the nominal classifier, `bootstrap` more are trained, replica i
        /// on the training folds with every event's weight multiplied by a Poisson(1) count
        /// (``BootstrapReplica``), validated on the untouched validation folds; each gives one weight variation
        /// (`jettag reweight apply --variations`). 0 or 2 or more.
        public var bootstrap: Int
        /// Folds that train the classifier.
        public var trainingFolds: [Int]
        /// Folds for the validation loss (best epoch, early stopping).
        public var validationFolds: [Int]
        /// Folds never seen in training: closure is measured on them.
        public var heldOutFolds: [Int]

        public init(
            negativeWeights: NegativeWeightStrategy = .signed, epsilon: Float = 1e-6, cap: Float? = nil, flattenIn: JetObservable? = nil,
            calibrate: Bool = false, crossTraining: Bool = false, bootstrap: Int = 0, modulus: Int = 8,
            trainingFolds: [Int] = [0, 1, 2], validationFolds: [Int] = [3], heldOutFolds: [Int] = [4, 5, 6, 7]
        ) {
            self.negativeWeights = negativeWeights
            self.epsilon = epsilon
            self.cap = cap
            self.flattenIn = flattenIn
            self.calibrate = calibrate
            self.crossTraining = crossTraining
            self.bootstrap = bootstrap
            self.modulus = modulus
            self.trainingFolds = trainingFolds
            self.validationFolds = validationFolds
            self.heldOutFolds = heldOutFolds
        }

        private enum CodingKeys: String, CodingKey {
            case negativeWeights, epsilon, cap, flattenIn, calibrate, crossTraining, bootstrap, modulus, trainingFolds, validationFolds, heldOutFolds
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init()
            negativeWeights = try c.decode(.negativeWeights, default: negativeWeights)
            epsilon = try c.decode(.epsilon, default: epsilon)
            cap = try c.decodeIfPresent(Float.self, forKey: .cap)
            flattenIn = try c.decodeIfPresent(JetObservable.self, forKey: .flattenIn)
            calibrate = try c.decode(.calibrate, default: calibrate)
            crossTraining = try c.decode(.crossTraining, default: crossTraining)
            bootstrap = try c.decode(.bootstrap, default: bootstrap)
            modulus = try c.decode(.modulus, default: modulus)
            trainingFolds = try c.decode(.trainingFolds, default: trainingFolds)
            validationFolds = try c.decode(.validationFolds, default: validationFolds)
            heldOutFolds = try c.decode(.heldOutFolds, default: heldOutFolds)
        }

        /// The split of the given folds.
        public func split(_ folds: [Int]) -> JetSplit { .eventNumber(modulus: modulus, folds: folds) }
    }

    /// The `closure` section: observables, binning, and the two-sample classifier's epochs.
    public struct Closure: Codable, Sendable, Equatable {
        public var observables: [JetObservable]
        /// Bins per observable, edges at quantiles of the target's held-out jets (equal jet counts).
        public var bins: Int
        /// Epochs of the two-sample classifier (trained on half the held-out folds, AUC on the other half).
        public var epochs: Int
        /// Two-sample classifiers trained with seeds seed, seed + 1, ... (their AUCs are averaged).
        public var seeds: Int
        /// About how many held-out jets of each sample the two-sample test holds and trains on (a share chosen by
        /// hashed event number; all of them when there are fewer); the histograms use every held-out jet.
        public var twoSampleJets: Int

        public init(
            observables: [JetObservable] = JetObservable.allCases, bins: Int = 20, epochs: Int = 10, seeds: Int = 3,
            twoSampleJets: Int = 100_000
        ) {
            self.observables = observables
            self.bins = bins
            self.epochs = epochs
            self.seeds = seeds
            self.twoSampleJets = twoSampleJets
        }

        private enum CodingKeys: String, CodingKey { case observables, bins, epochs, seeds, twoSampleJets }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init()
            observables = try c.decode(.observables, default: observables)
            bins = try c.decode(.bins, default: bins)
            epochs = try c.decode(.epochs, default: epochs)
            seeds = try c.decode(.seeds, default: seeds)
            twoSampleJets = try c.decode(.twoSampleJets, default: twoSampleJets)
        }
    }

    public var source: Sample
    public var target: Sample
    public var options: Options
    public var closure: Closure
    /// The classifier's run config: `features`, `model`, `training`; `data` lists source then target files.
    public var classifier: RunConfig

    private enum CodingKeys: String, CodingKey { case source, target, options = "reweighting", closure, classifier }

    /// The sections of the YAML form decoded here; `features`, `model` and `training` are known keys, decoded
    /// (and checked) by the classifier's ``RunConfig/load(tree:file:)``.
    private struct Sections: Decodable {
        var source: Sample
        var target: Sample
        var options: Options
        var closure: Closure

        private enum CodingKeys: String, CodingKey {
            case source, target, options = "reweighting", closure, features, model, training, data
        }

        /// The `data` keys a reweighting config takes (checked here, decoded by the classifier's ``DataConfig``).
        private struct Streaming: Decodable {
            private enum CodingKeys: String, CodingKey { case inMemory, shuffleBuffer }

            init(from decoder: Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                for key in [CodingKeys.inMemory, .shuffleBuffer] { _ = c.contains(key) }
            }
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            source = try c.decode(Sample.self, forKey: .source)
            target = try c.decode(Sample.self, forKey: .target)
            options = try c.decode(.options, default: Options())
            closure = try c.decode(.closure, default: Closure())
            for name in ReweightingConfig.classifierKeys { _ = c.contains(CodingKeys(rawValue: name)!) }
            _ = try c.decodeIfPresent(Streaming.self, forKey: .data)
        }
    }

    /// The classifier's run-config sections in the YAML form.
    static let classifierKeys = ["features", "model", "training"]

    /// Builds the config from a parsed YAML or JSON document, checking every key (``ConfigDecoder``) and value.
    ///
    /// - Parameter file: named in every error.
    public static func load(tree: Any, file: String) throws -> ReweightingConfig {
        guard let root = tree as? [String: Any] else {
            throw JetModelsError.invalidValue(path: "(top level)", file: file, expected: "expected a mapping of sections")
        }
        let sections = try ConfigDecoder(file: file).decode(Sections.self, from: root)
        var classifierTree = root.filter { classifierKeys.contains($0.key) }
        var data: [String: Any] = [
            "files": sections.source.files + sections.target.files, "classNames": ["source", "target"],
            "weightField": sections.source.weightField,
            "split": ["modulus": sections.options.modulus, "validationFolds": sections.options.validationFolds],
        ]
        for (key, value) in root["data"] as? [String: Any] ?? [:] { data[key] = value }
        classifierTree["data"] = data
        let config = ReweightingConfig(
            source: sections.source, target: sections.target, options: sections.options, closure: sections.closure,
            classifier: try RunConfig.load(tree: classifierTree, file: file))
        try config.validate(file: file)
        return config
    }

    func validate(file: String) throws {
        func check(_ condition: Bool, _ path: String, _ expected: String) throws {
            guard condition else { throw JetModelsError.invalidValue(path: path, file: file, expected: expected) }
        }
        try check(!source.files.isEmpty, "source.files", "expected at least one file or pattern")
        try check(!target.files.isEmpty, "target.files", "expected at least one file or pattern")
        try check(options.epsilon > 0 && options.epsilon < 0.5, "reweighting.epsilon", "expected a number in (0, 0.5)")
        try check((options.cap ?? 2) > 1, "reweighting.cap", "expected a ratio above 1")
        try check(options.modulus >= 2, "reweighting.modulus", "expected 2 or more")
        let folds = [options.trainingFolds, options.validationFolds, options.heldOutFolds]
        try check(
            folds.allSatisfy { !$0.isEmpty && $0.allSatisfy { (0..<options.modulus).contains($0) } }
                && Set(folds.joined()).count == folds.joined().count,
            "reweighting.heldOutFolds",
            "expected non-empty, disjoint training, validation and held-out folds in 0..<\(options.modulus)")
        try check(options.heldOutFolds.count >= 2, "reweighting.heldOutFolds", "expected 2 or more folds (the two-sample test halves them)")
        try check(
            !options.crossTraining || (classifier.training.ensemble ?? 1) >= 2, "reweighting.crossTraining",
            "needs training.ensemble of 2 or more (the members take turns to validate)")
        try check(
            !(options.crossTraining && options.calibrate), "reweighting.calibrate",
            "cannot be combined with crossTraining (the calibration needs folds the classifier did not train on)")
        try check(
            options.bootstrap == 0 || options.bootstrap >= 2, "reweighting.bootstrap",
            "expected 0 (no replicas) or 2 or more replicas (their spread is the variation)")
        try check(!closure.observables.isEmpty, "closure.observables", "expected at least one observable")
        try check(closure.bins >= 2, "closure.bins", "expected 2 or more")
        try check(closure.epochs >= 1, "closure.epochs", "expected a positive integer")
        try check(closure.seeds >= 1, "closure.seeds", "expected a positive integer")
        try check(closure.twoSampleJets >= 100, "closure.twoSampleJets", "expected 100 or more jets")
        try check(classifier.model.classes == 2, "model", "expected a binary classifier (source vs target)")
    }
}
