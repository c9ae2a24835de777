import JetModels
import JetNN

/// The graph inputs a member network reads, after the shared preprocessing (see ``ONNXExport``).
struct MemberInputs {
    /// [N, C, P] constituent features, zero in padding slots.
    var constituents: String?
    /// [N, P, C]: the same, constituent-major (Deep Sets).
    var constituentsLast: String?
    /// [N, 1, P] float mask, exactly 0 or 1.
    var mask: String?
    /// [N, P, 1] float mask.
    var maskLast: String?
    /// [N, P, 1] bool mask.
    var validLast: String?
    /// [N, 1, P] bool mask.
    var valid: String?
    /// Transformer: the keys of the particle blocks [N, 1, 1, P] and of the class blocks [N, 1, 1, 1 + P] (bool),
    /// the class token's shape [N, 1, C] (int64 [3]) and ParT's pair features [N, P, P, 4] (with `pairColumns`).
    var keyValid: String?
    var classKeyValid: String?
    var tokenShape: String?
    var pairFeatures: String?
    /// [N, 1] 1 / max(constituent count, 1): the mean over an empty jet is 0, as in JetNN's SetPooling.
    var inverseCount: String?
    /// [N, K] jet-level features.
    var jetFeatures: String?
    /// ParticleNet: [N, P, P] bool, true for a pair of two different valid slots (the candidate neighbours); the
    /// neighbours per slot, min(k, P) (int64 [1]); [N, 1, K, 1] float, 1 for the first min(k, n - 1) of a slot's
    /// K nearest (its real neighbours, n the jet's constituents), else 0; [N, 1, 1] 1 / max(min(k, n - 1), 1).
    var neighborCandidates: String?
    var neighborCount: String?
    var neighborValid: String?
    var inverseDegree: String?
}

/// One member model's parameters by JetNN name, with the lookups the graph builders need.
struct MemberTensors {
    let tensors: [String: NamedTensor]
    let file: String

    init(_ tensors: [NamedTensor], file: String) {
        self.tensors = Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.file = file
    }

    func values(_ name: String) throws(JetExportError) -> [Float] {
        guard let tensor = tensors[name] else { throw .invalidModel(file: file, reason: "the tensor '\(name)' is missing") }
        return tensor.values
    }

    /// The weight [out, in...] and bias of a layer with `outputCount` outputs, with the BatchNorm `<layer>.norm`
    /// folded in when `batchNorm` (inference mode: y = x k + (beta - mean k), k = gamma / sqrt(var + eps)).
    func foldedLayer(_ layer: String, outputCount: Int, batchNorm: Bool) throws(JetExportError) -> (weight: [Float], bias: [Float]) {
        var weight = try values("\(layer).weight")
        guard batchNorm else { return (weight, try values("\(layer).bias")) }
        let (scale, shift) = try batchNormAffine("\(layer).norm")
        let perOutput = weight.count / outputCount
        for o in 0..<outputCount {
            for j in (o * perOutput)..<((o + 1) * perOutput) { weight[j] *= scale[o] }
        }
        return (weight, shift)
    }

    /// The BatchNorm `name` in inference mode as y = x scale + shift per channel: scale = gamma / sqrt(var + eps),
    /// shift = beta - mean scale.
    func batchNormAffine(_ name: String) throws(JetExportError) -> (scale: [Float], shift: [Float]) {
        let gamma = try values("\(name).weight"), beta = try values("\(name).bias")
        let mean = try values("\(name).running_mean"), variance = try values("\(name).running_var")
        let scale = gamma.indices.map { o in 1 / (variance[o] + batchNormEpsilon).squareRoot() * gamma[o] }
        return (scale, scale.indices.map { o in beta[o] - mean[o] * scale[o] })
    }
}

/// The epsilon of JetNN's BatchNorm layers (the models build them with the default).
let batchNormEpsilon: Float = {
    var parameters = Parameters()
    return BatchNorm("epsilon", channels: 1, parameters: &parameters).epsilon
}()

extension GraphBuilder {
    /// ``DenseHead``: Dense + ReLU per hidden layer (dropout is off in inference), then the output Dense.
    mutating func denseHead(
        _ x: String, inputCount: Int, hiddenSizes: [Int], outputCount: Int, tensors: MemberTensors, prefix: String
    ) throws(JetExportError) -> String {
        let sizes = [inputCount] + hiddenSizes + [outputCount]
        var h = x
        for i in 0..<(sizes.count - 1) {
            h = dense(
                h, weight: try tensors.values("head.\(i).weight"), bias: try tensors.values("head.\(i).bias"),
                outputCount: sizes[i + 1], inputCount: sizes[i], rank: 2, hint: "\(prefix)head.\(i)")
            if i < hiddenSizes.count { h = add("Relu", [h], hint: "\(prefix)head.\(i).relu") }
        }
        return h
    }

    /// ``DeepSetsModel``: Phi per constituent, masked pooling, jet features appended, the head. Logits [N, L].
    mutating func deepSets(
        _ config: DeepSetsConfig, inputs: MemberInputs, tensors: MemberTensors, prefix: String
    ) throws(JetExportError) -> String {
        let sizes = [config.inputFeatures] + config.constituentLayers
        var h = inputs.constituentsLast!
        for i in config.constituentLayers.indices {
            let (weight, bias) = try tensors.foldedLayer(
                "constituent.\(i)", outputCount: sizes[i + 1], batchNorm: config.batchNorm)
            h = dense(h, weight: weight, bias: bias, outputCount: sizes[i + 1], inputCount: sizes[i], rank: 3, hint: "\(prefix)constituent.\(i)")
            h = add("Relu", [h], hint: "\(prefix)constituent.\(i).relu")
        }
        // Phi of padding slots is zeroed before pooling, so only valid constituents count.
        let masked = add("Mul", [h, inputs.maskLast!], hint: "\(prefix)phi.masked")
        var pooled: String
        switch config.pooling {
        case .sum:
            pooled = reduceSum(masked, axis: 1, keepDims: false, hint: "\(prefix)pooling.sum")
        case .mean:
            pooled = add(
                "Mul", [reduceSum(masked, axis: 1, keepDims: false, hint: "\(prefix)pooling.sum"), inputs.inverseCount!],
                hint: "\(prefix)pooling.mean")
        case .max:
            // Phi ends with a ReLU: every value is >= 0, so the zeros of padding slots never exceed a valid
            // constituent's maximum, and an empty jet pools to 0 as in JetNN's SetPooling.
            pooled = add(
                "ReduceMax", [masked], [ONNXAttribute("axes", .ints([1])), ONNXAttribute("keepdims", .int(0))],
                hint: "\(prefix)pooling.max")
        case .attention:
            let channels = sizes[sizes.count - 1]
            let w = constant("\(prefix)pooling.weight", try tensors.values("pooling.weight"), shape: [channels, 1])
            let score = add("MatMul", [h, w], hint: "\(prefix)pooling.score")
            // Padding slots get a score far below any real one: weight exactly 0 after the softmax (and an
            // empty jet pools the zeroed Phi to 0).
            let floor = constant("\(prefix)pooling.padding_score", [-1e30], shape: [])
            let maskedScore = add("Where", [inputs.validLast!, score, floor], hint: "\(prefix)pooling.masked_score")
            let attention = add("Softmax", [maskedScore], [ONNXAttribute("axis", .int(1))], hint: "\(prefix)pooling.attention")
            pooled = reduceSum(
                add("Mul", [attention, masked], hint: "\(prefix)pooling.weighted"), axis: 1, keepDims: false,
                hint: "\(prefix)pooling.attention_sum")
        }
        if config.jetFeatures > 0 {
            pooled = add("Concat", [pooled, inputs.jetFeatures!], [ONNXAttribute("axis", .int(1))], hint: "\(prefix)head.input")
        }
        return try denseHead(
            pooled, inputCount: sizes[sizes.count - 1] + config.jetFeatures, hiddenSizes: config.headLayers,
            outputCount: config.logitCount, tensors: tensors, prefix: prefix)
    }

    /// ``CNN1DModel``: Conv (zero padding K/2) with BatchNorm folded -> ReLU -> mask per block, identity shortcuts,
    /// masked mean pooling, the head. Logits [N, L].
    mutating func cnn1d(
        _ config: CNN1DConfig, inputs: MemberInputs, tensors: MemberTensors, prefix: String
    ) throws(JetExportError) -> String {
        let sizes = [config.inputFeatures] + config.channels
        let k = config.kernelSize
        var h = inputs.constituents!
        for i in config.channels.indices {
            let (inCount, outCount) = (sizes[i], sizes[i + 1])
            let (weight, bias) = try tensors.foldedLayer("conv.\(i)", outputCount: outCount, batchNorm: config.batchNorm)
            // JetNN's [out, K, in] to ONNX's [out, in, K].
            var onnxWeight = [Float](repeating: 0, count: weight.count)
            for o in 0..<outCount {
                for t in 0..<k {
                    for c in 0..<inCount { onnxWeight[(o * inCount + c) * k + t] = weight[(o * k + t) * inCount + c] }
                }
            }
            let w = constant("\(prefix)conv.\(i).weight", onnxWeight, shape: [outCount, inCount, k])
            let b = constant("\(prefix)conv.\(i).bias", bias, shape: [outCount])
            let conv = add(
                "Conv", [h, w, b],
                [
                    ONNXAttribute("kernel_shape", .ints([Int64(k)])),
                    ONNXAttribute("pads", .ints([Int64((k - 1) / 2), Int64(k / 2)])),
                    ONNXAttribute("strides", .ints([1])), ONNXAttribute("dilations", .ints([1])),
                ], hint: "\(prefix)conv.\(i)")
            let relu = add("Relu", [conv], hint: "\(prefix)conv.\(i).relu")
            // Zero padding slots so the next convolution sees the zero halo JetNN's Conv1D gives each jet.
            let branch = add("Mul", [relu, inputs.mask!], hint: "\(prefix)conv.\(i).masked")
            h = config.residual && inCount == outCount ? add("Add", [h, branch], hint: "\(prefix)conv.\(i).residual") : branch
        }
        let pooled = add(
            "Mul", [reduceSum(h, axis: 2, keepDims: false, hint: "\(prefix)pooling.sum"), inputs.inverseCount!],
            hint: "\(prefix)pooling.mean")
        return try denseHead(
            pooled, inputCount: sizes[sizes.count - 1], hiddenSizes: config.headLayers, outputCount: config.logitCount,
            tensors: tensors, prefix: prefix)
    }

    /// Class probabilities [N, C] from logits [N, L]: [1 - sigmoid, sigmoid] of one logit, softmax of several
    /// (as `JetScorer`).
    mutating func probabilities(logits: String, count: Int, prefix: String) -> String {
        guard count == 1 else { return add("Softmax", [logits], [ONNXAttribute("axis", .int(1))], hint: "\(prefix)probabilities") }
        let p = add("Sigmoid", [logits], hint: "\(prefix)sigmoid")
        let one = constant("one", [1], shape: [])
        let q = add("Sub", [one, p], hint: "\(prefix)one_minus_sigmoid")
        return add("Concat", [q, p], [ONNXAttribute("axis", .int(1))], hint: "\(prefix)probabilities")
    }
}
