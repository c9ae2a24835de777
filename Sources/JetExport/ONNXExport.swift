import Foundation
import JetFeatures
import JetModels
import JetNN

/// A model file as one ONNX graph (opset 13, IR version 7) with its preprocessing, for ONNX Runtime in CMSSW,
/// Athena or Python (docs/ONNX.md).
///
/// Inputs, weaver's convention, float32 with dynamic N (jets) and P (constituent slots, at most the model's
/// `maxConstituents`, valid constituents first): `pf_features` [N, C, P], `pf_mask` [N, 1, P] (1 valid, 0
/// padding), `jet_features` [N, K] when the model reads jet-level features, and for a k-fold file `event_number`
/// [N] int64. Outputs: `probabilities` [N, classes] (what `jettag predict` writes), `logits` [N, L] (divided by
/// the temperature T of a calibrated model, as `predict` divides them), and for a seed ensemble
/// `probabilities_std` [N, classes] (predict's `_std`). Without `includePreprocessing` the inputs
/// are standardised as the model's `preprocess.json` says; with it the graph applies the centre, scale and clip
/// itself and the inputs are the raw variables.
public struct ONNXExport {
    public static let opsetVersion: Int64 = 13
    /// The IR version of ONNX 1.8, the release that introduced opset 13.
    public static let irVersion: Int64 = 7
    /// The model kinds this exporter writes graphs for: every kind JetTag trains.
    public static let supportedKinds = ModelArchitecture.Kind.allCases.map(\.rawValue)

    /// Graph input and output names.
    public enum Name {
        public static let constituents = "pf_features"
        public static let mask = "pf_mask"
        public static let jetFeatures = "jet_features"
        public static let eventNumber = "event_number"
        public static let probabilities = "probabilities"
        public static let logits = "logits"
        public static let spread = "probabilities_std"
    }

    /// The ONNX model.
    public let model: ONNXModel
    /// The preprocessing in weaver's `preprocess.json` layout (also the `preprocess_json` metadata entry).
    public let preprocessJSON: String

    /// Builds the graph of `file` (read from `path`, named in errors).
    ///
    /// - Throws: ``JetExportError/checkpoint(file:)`` for a checkpoint, ``JetExportError/invalidModel(file:reason:)``
    ///   for tensors that do not match the architecture.
    public init(file: ModelFile, path: String, includePreprocessing: Bool) throws(JetExportError) {
        guard file.trainingState == nil else { throw .checkpoint(file: path) }
        do {
            _ = try file.makeModels()
        } catch {
            throw .invalidModel(file: path, reason: "\(error)")
        }
        let architecture = file.architecture
        let features = file.features
        let usesConstituents = architecture.kind != .mlp
        let jetFeatureCount: Int
        switch architecture.kind {
        case .deepsets: jetFeatureCount = architecture.deepsets!.jetFeatures
        case .cnn1d: jetFeatureCount = 0
        case .mlp: jetFeatureCount = architecture.mlp!.jetFeatures
        case .transformer: jetFeatureCount = 0
        case .particlenet: jetFeatureCount = architecture.particlenet!.jetFeatures
        }
        let constituentCount = features.constituentVariables.count
        var graph = GraphBuilder()
        var graphInputs: [ONNXValueInfo] = []
        var inputs = MemberInputs()
        if usesConstituents {
            graphInputs.append(ONNXValueInfo(
                name: Name.constituents, elementType: .float,
                shape: [.parameter("N"), .value(Int64(constituentCount)), .parameter("P")]))
            graphInputs.append(ONNXValueInfo(
                name: Name.mask, elementType: .float, shape: [.parameter("N"), .value(1), .parameter("P")]))
            graph.reserve(Name.constituents)
            graph.reserve(Name.mask)
            var x = Name.constituents
            if includePreprocessing {
                x = graph.standardize(x, features.constituentVariables, shape: [1, constituentCount, 1], hint: "pf_features")
            }
            let zero = graph.constant("zero", [0], shape: [])
            let valid = graph.add("Greater", [Name.mask, zero], hint: "pf_valid")
            inputs.valid = valid
            inputs.mask = graph.add("Cast", [valid], [ONNXAttribute("to", .int(ONNXDataType.float.rawValue))], hint: "pf_mask01")
            inputs.constituents = graph.add("Where", [valid, x, zero], hint: "pf_features.zero_padded")
            let count = graph.reduceSum(inputs.mask!, axis: 2, keepDims: false, hint: "pf_count")
            let one = graph.constant("one", [1], shape: [])
            inputs.inverseCount = graph.add("Reciprocal", [graph.add("Max", [count, one], hint: "pf_count.at_least_1")], hint: "pf_count.inverse")
            if [.deepsets, .transformer, .particlenet].contains(architecture.kind) {
                let perm = [ONNXAttribute("perm", .ints([0, 2, 1]))]
                inputs.constituentsLast = graph.add("Transpose", [inputs.constituents!], perm, hint: "pf_features.constituent_major")
                inputs.maskLast = graph.add("Transpose", [inputs.mask!], perm, hint: "pf_mask.constituent_major")
                if architecture.kind != .transformer {
                    inputs.validLast = graph.add("Transpose", [valid], perm, hint: "pf_valid.constituent_major")
                }
            }
            if architecture.kind == .transformer { graph.transformerInputs(architecture.transformer!, inputs: &inputs) }
            if architecture.kind == .particlenet { graph.particleNetInputs(architecture.particlenet!, inputs: &inputs) }
        }
        if jetFeatureCount > 0 {
            graphInputs.append(ONNXValueInfo(
                name: Name.jetFeatures, elementType: .float, shape: [.parameter("N"), .value(Int64(jetFeatureCount))]))
            graph.reserve(Name.jetFeatures)
            inputs.jetFeatures = includePreprocessing
                ? graph.standardize(Name.jetFeatures, features.jetVariables, shape: [1, jetFeatureCount], hint: "jet_features")
                : Name.jetFeatures
        }
        if case .kfold = file.combination {
            graphInputs.append(ONNXValueInfo(name: Name.eventNumber, elementType: .int64, shape: [.parameter("N")]))
            graph.reserve(Name.eventNumber)
        }
        for name in [Name.probabilities, Name.logits, Name.spread] { graph.reserve(name) }

        // Each member's logits and probabilities.
        var memberLogits: [String] = [], memberProbabilities: [String] = []
        for (index, tensors) in file.members.enumerated() {
            let prefix = file.combination == .single ? "" : "member\(index)/"
            let memberTensors = MemberTensors(tensors, file: path)
            var logits: String
            switch architecture.kind {
            case .deepsets: logits = try graph.deepSets(architecture.deepsets!, inputs: inputs, tensors: memberTensors, prefix: prefix)
            case .cnn1d: logits = try graph.cnn1d(architecture.cnn1d!, inputs: inputs, tensors: memberTensors, prefix: prefix)
            case .mlp:
                let config = architecture.mlp!
                logits = try graph.denseHead(
                    inputs.jetFeatures!, inputCount: config.jetFeatures, hiddenSizes: config.hiddenLayers,
                    outputCount: config.logitCount, tensors: memberTensors, prefix: prefix)
            case .transformer:
                logits = try graph.transformer(architecture.transformer!, inputs: inputs, tensors: memberTensors, prefix: prefix)
            case .particlenet:
                logits = try graph.particleNet(architecture.particlenet!, inputs: inputs, tensors: memberTensors, prefix: prefix)
            }
            if let calibration = file.calibration {
                // Temperature scaling as JetScorer applies it: the logits divided by T in float32.
                let temperature = graph.constant("\(prefix)temperature", [Float(calibration.temperature)], shape: [])
                logits = graph.add("Div", [logits, temperature], hint: "\(prefix)calibrated_logits")
            }
            memberLogits.append(logits)
            memberProbabilities.append(graph.probabilities(logits: logits, count: architecture.logitCount, prefix: prefix))
        }

        // Combined as JetScorer combines them.
        let classes = file.classNames.count
        var outputs = [
            ONNXValueInfo(name: Name.probabilities, elementType: .float, shape: [.parameter("N"), .value(Int64(classes))]),
            ONNXValueInfo(
                name: Name.logits, elementType: .float, shape: [.parameter("N"), .value(Int64(architecture.logitCount))]),
        ]
        switch file.combination {
        case .single:
            graph.add("Identity", [memberProbabilities[0]], hint: Name.probabilities, output: Name.probabilities)
            graph.add("Identity", [memberLogits[0]], hint: Name.logits, output: Name.logits)
        case .kfold(let k):
            // Member i scores the jets with event_number mod k == i (Mod with fmod 0 takes the divisor's sign:
            // 0..<k also for negative event numbers, as JetSplit.fold).
            let modulus = graph.constant("fold.modulus", int64s: [Int64(k)], shape: [])
            let fold = graph.add("Unsqueeze", [
                graph.add("Mod", [Name.eventNumber, modulus], [ONNXAttribute("fmod", .int(0))], hint: "fold"),
                graph.constant("axes_1", int64s: [1], shape: [1]),
            ], hint: "fold.column")
            var selectedProbabilities: [String] = [], selectedLogits: [String] = []
            for member in 0..<k {
                let index = graph.constant("fold.\(member)", int64s: [Int64(member)], shape: [])
                let isMember = graph.add("Equal", [fold, index], hint: "fold.is_\(member)")
                let weight = graph.add("Cast", [isMember], [ONNXAttribute("to", .int(ONNXDataType.float.rawValue))], hint: "fold.weight_\(member)")
                selectedProbabilities.append(graph.add("Mul", [memberProbabilities[member], weight], hint: "member\(member)/selected_probabilities"))
                selectedLogits.append(graph.add("Mul", [memberLogits[member], weight], hint: "member\(member)/selected_logits"))
            }
            graph.add("Sum", selectedProbabilities, hint: Name.probabilities, output: Name.probabilities)
            graph.add("Sum", selectedLogits, hint: Name.logits, output: Name.logits)
        case .ensemble:
            let mean = graph.add("Mean", memberProbabilities, hint: Name.probabilities, output: Name.probabilities)
            graph.add("Mean", memberLogits, hint: Name.logits, output: Name.logits)
            let squares = memberProbabilities.map { p in
                let deviation = graph.add("Sub", [p, mean], hint: "\(p).deviation")
                return graph.add("Mul", [deviation, deviation], hint: "\(p).squared_deviation")
            }
            graph.add("Sqrt", [graph.add("Mean", squares, hint: "probabilities_variance")], hint: Name.spread, output: Name.spread)
            outputs.append(ONNXValueInfo(name: Name.spread, elementType: .float, shape: [.parameter("N"), .value(Int64(classes))]))
        }

        let preprocessing = PreprocessingMetadata(
            file: file, includePreprocessing: includePreprocessing, inputs: graphInputs.map(\.name))
        preprocessJSON = preprocessing.weaverJSON()
        model = ONNXModel(
            irVersion: Self.irVersion, opsetImports: [ONNXOperatorSet(version: Self.opsetVersion)],
            producerName: "jettag", producerVersion: ModelFile.codeVersion,
            docString: "JetTag \(architecture.kind.rawValue) tagger '\(file.tagger)'; inputs, outputs and metadata: docs/ONNX.md",
            graph: ONNXGraph(
                name: file.tagger, nodes: graph.nodes, initializers: graph.initializers, inputs: graphInputs, outputs: outputs),
            metadata: preprocessing.metadata(preprocessJSON: preprocessJSON))
    }

    /// The ONNX file's bytes.
    public func serialized() -> [UInt8] { model.serialized() }

}

extension GraphBuilder {
    /// `clip((x - centre) * scale, clipMin, clipMax)` per feature, as JetFeatures' `FeatureExtractor`; `shape`
    /// broadcasts the per-feature vectors against `x` (the feature axis holds the variables).
    mutating func standardize(_ x: String, _ variables: [VariableSpec], shape: [Int], hint: String) -> String {
        let centre = constant("\(hint).centre", variables.map { $0.subtractBy ?? 0 }, shape: shape)
        let scale = constant("\(hint).scale", variables.map { $0.multiplyBy ?? 1 }, shape: shape)
        var y = add("Mul", [add("Sub", [x, centre], hint: "\(hint).centred"), scale], hint: "\(hint).standardized")
        if variables.contains(where: { $0.clipMin != nil }) {
            let low = constant("\(hint).clip_min", variables.map { $0.clipMin ?? -.infinity }, shape: shape)
            y = add("Max", [y, low], hint: "\(hint).clipped_below")
        }
        if variables.contains(where: { $0.clipMax != nil }) {
            let high = constant("\(hint).clip_max", variables.map { $0.clipMax ?? .infinity }, shape: shape)
            y = add("Min", [y, high], hint: "\(hint).clipped")
        }
        return y
    }
}
