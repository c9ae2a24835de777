import Foundation
import JetModels
import JetNN

extension GraphBuilder {
    /// ``TransformerModel`` on padded jets: the embedding, ParT's pair features of all P x P slot pairs through the
    /// pair network to one bias per head, the particle blocks with the padded keys' logits at -1e30 (weight exactly
    /// 0 after the softmax) and padded slots zeroed after every block, the class blocks of the class token over
    /// [token; constituents] (the token is never masked, so an empty jet attends to its token alone, as the model
    /// does), the final LayerNorm and the head. Logits [N, L].
    mutating func transformer(
        _ config: TransformerConfig, inputs: MemberInputs, tensors: MemberTensors, prefix: String
    ) throws(JetExportError) -> String {
        let width = config.width
        let sizes = [config.inputFeatures] + config.embedLayers
        var h = inputs.constituentsLast!
        for i in config.embedLayers.indices {
            h = try layerNorm(h, "embed.\(i).norm", channels: sizes[i], tensors: tensors, prefix: prefix)
            h = dense(
                h, weight: try tensors.values("embed.\(i).weight"), bias: try tensors.values("embed.\(i).bias"),
                outputCount: sizes[i + 1], inputCount: sizes[i], rank: 3, hint: "\(prefix)embed.\(i)")
            h = gelu(h, hint: "\(prefix)embed.\(i).gelu")
        }
        h = add("Mul", [h, inputs.maskLast!], hint: "\(prefix)embed.masked")

        var bias: String?
        if let features = inputs.pairFeatures, config.particleBlocks > 0 {
            bias = try pairBias(features, config: config, tensors: tensors, prefix: prefix)
        }
        for l in 0..<config.particleBlocks {
            let name = "block.\(l)"
            let normed = try layerNorm(h, "\(name).attention_norm", channels: width, tensors: tensors, prefix: prefix)
            let attention = try multiHeadAttention(
                queries: normed, keysAndValues: normed, keyValid: inputs.keyValid!, bias: bias, name: "\(name).attention",
                config: config, tensors: tensors, prefix: prefix)
            let residual = add("Add", [h, attention], hint: "\(prefix)\(name).residual")
            h = add(
                "Mul", [try feedForward(residual, "\(name).ffn", config: config, tensors: tensors, prefix: prefix), inputs.maskLast!],
                hint: "\(prefix)\(name).masked")
        }

        var t = add(
            "Expand", [constant("\(prefix)class_token", try tensors.values("class_token"), shape: [1, 1, width]), inputs.tokenShape!],
            hint: "\(prefix)class_token.batch")
        for l in 0..<config.classBlocks {
            let name = "class.\(l)"
            let keys = add("Concat", [t, h], [ONNXAttribute("axis", .int(1))], hint: "\(prefix)\(name).keys")
            let normed = try layerNorm(keys, "\(name).norm", channels: width, tensors: tensors, prefix: prefix)
            let attention = try multiHeadAttention(
                queries: t, keysAndValues: normed, keyValid: inputs.classKeyValid!, bias: nil, name: "\(name).attention",
                config: config, tensors: tensors, prefix: prefix)
            let residual = add("Add", [t, attention], hint: "\(prefix)\(name).residual")
            t = try feedForward(residual, "\(name).ffn", config: config, tensors: tensors, prefix: prefix)
        }
        t = try layerNorm(t, "norm", channels: width, tensors: tensors, prefix: prefix)
        let jetRows = add("Reshape", [t, constant("shape_n_\(width)", int64s: [0, Int64(width)], shape: [2])], hint: "\(prefix)norm.rows")
        return try denseHead(
            jetRows, inputCount: width, hiddenSizes: config.headLayers, outputCount: config.logitCount, tensors: tensors,
            prefix: prefix)
    }

    /// The member-independent inputs of a transformer graph into `inputs`: the key masks of the particle blocks
    /// [N, 1, 1, P] and of the class blocks [N, 1, 1, 1 + P] (the token always valid), the class token's shape
    /// [N, 1, C], and with `pairColumns` the pair features.
    mutating func transformerInputs(_ config: TransformerConfig, inputs: inout MemberInputs) {
        let axis1 = constant("axes_1", int64s: [1], shape: [1])
        inputs.keyValid = add("Unsqueeze", [inputs.valid!, axis1], hint: "pf_valid.keys")
        // N as a 1-vector: the batch axis of the mask's shape.
        let batchSize = add("Gather", [
            add("Shape", [inputs.mask!], hint: "pf_mask.shape"), constant("index_0", int64s: [0], shape: [1]),
        ], [ONNXAttribute("axis", .int(0))], hint: "batch_size")
        func shape(_ tail: [Int64], _ hint: String) -> String {
            add("Concat", [batchSize, constant("\(hint).tail", int64s: tail, shape: [tail.count])], [ONNXAttribute("axis", .int(0))], hint: hint)
        }
        inputs.tokenShape = shape([1, Int64(config.width)], "class_token.shape")
        let tokenMask = add("Expand", [constant("token_mask", [1], shape: [1, 1, 1]), shape([1, 1], "token_mask.shape")], hint: "token_mask.batch")
        let classMask = add("Concat", [tokenMask, inputs.mask!], [ONNXAttribute("axis", .int(2))], hint: "class_keys.mask")
        inputs.classKeyValid = add(
            "Unsqueeze", [add("Greater", [classMask, constant("zero", [0], shape: [])], hint: "class_keys.valid"), axis1],
            hint: "class_keys.valid_keys")
        if config.pairColumns.count == 3 { inputs.pairFeatures = pairFeatures(columns: config.pairColumns, inputs: inputs) }
    }

    /// ParT's pair features [N, P, P, 4] of every slot pair, as ``JetNN/PairwiseFeatures``: ln kT, ln z, ln dR,
    /// ln m^2, each clamped at ln 1e-8, from the `columns` of the standardised inputs (deta, dphi, ln pt, which
    /// the config check keeps unstandardised, so with the standardisation in the graph too). The matrix is
    /// symmetric, as the model's lower triangle read both ways; padding pairs are finite (zeroed inputs).
    private mutating func pairFeatures(columns: [Int], inputs: MemberInputs) -> String {
        func column(_ index: Int, _ hint: String) -> String {
            add("Gather", [inputs.constituents!, constant("index_\(index)", int64s: [Int64(index)], shape: [])],
                [ONNXAttribute("axis", .int(1))], hint: "pair.\(hint)")
        }
        // [N, P, 1] and [N, 1, P] views of a per-slot value: their broadcast difference is [n, i, j] = v_i - v_j.
        func rowsAndColumns(_ v: String) -> (String, String) {
            (add("Unsqueeze", [v, constant("axes_2", int64s: [2], shape: [1])], hint: "\(v).i"),
             add("Unsqueeze", [v, constant("axes_1", int64s: [1], shape: [1])], hint: "\(v).j"))
        }
        func scalar(_ hint: String, _ value: Float) -> String { constant("pair.\(hint)", [value], shape: []) }
        let (etaI, etaJ) = rowsAndColumns(column(columns[0], "deta"))
        let (phiI, phiJ) = rowsAndColumns(column(columns[1], "dphi"))
        let (logPtI, logPtJ) = rowsAndColumns(column(columns[2], "pt_log"))
        let deltaEta = add("Sub", [etaI, etaJ], hint: "pair.delta_eta")
        // The phi difference wrapped into [-pi, pi) with one turn at most, as the model.
        let rawPhi = add("Sub", [phiI, phiJ], hint: "pair.delta_phi_raw")
        let pi = scalar("pi", .pi), minusPi = scalar("minus_pi", -.pi), turn = scalar("two_pi", 2 * .pi)
        let deltaPhi = add("Where", [
            add("GreaterOrEqual", [rawPhi, pi], hint: "pair.phi_above"),
            add("Sub", [rawPhi, turn], hint: "pair.phi_down"),
            add("Where", [
                add("Less", [rawPhi, minusPi], hint: "pair.phi_below"), add("Add", [rawPhi, turn], hint: "pair.phi_up"), rawPhi,
            ], hint: "pair.delta_phi_low"),
        ], hint: "pair.delta_phi")
        let squaredDistance = add(
            "Add", [add("Mul", [deltaEta, deltaEta], hint: "pair.deta2"), add("Mul", [deltaPhi, deltaPhi], hint: "pair.dphi2")],
            hint: "pair.dr2")
        let half = scalar("half", 0.5)
        let logDistance = add("Mul", [half, add("Log", [squaredDistance], hint: "pair.log_dr2")], hint: "pair.log_dr")
        let logPtMin = add("Min", [logPtI, logPtJ], hint: "pair.log_pt_min")
        let logPtMax = add("Max", [logPtI, logPtJ], hint: "pair.log_pt_max")
        // ln(pt_i + pt_j) = high + ln(1 + exp(low - high)).
        let ratio = add("Exp", [add("Sub", [logPtMin, logPtMax], hint: "pair.log_pt_ratio")], hint: "pair.pt_ratio")
        let onePlusRatio = add("Add", [scalar("one", 1), ratio], hint: "pair.one_plus_ratio")
        let logPtSum = add("Add", [logPtMax, add("Log", [onePlusRatio], hint: "pair.log_one_plus_ratio")], hint: "pair.log_pt_sum")
        let logKT = add("Add", [logPtMin, logDistance], hint: "pair.log_kt")
        let logZ = add("Sub", [logPtMin, logPtSum], hint: "pair.log_z")
        // m^2 = 4 pt_i pt_j (sinh^2(deta / 2) + sin^2(dphi / 2)), in log space.
        let sinhEta = add("Sinh", [add("Mul", [deltaEta, half], hint: "pair.half_deta")], hint: "pair.sinh_half_deta")
        let sinPhi = add("Sin", [add("Mul", [deltaPhi, half], hint: "pair.half_dphi")], hint: "pair.sin_half_dphi")
        let massTerm = add(
            "Add", [add("Mul", [sinhEta, sinhEta], hint: "pair.sinh2"), add("Mul", [sinPhi, sinPhi], hint: "pair.sin2")],
            hint: "pair.mass_term")
        let logMassSquared = add("Add", [
            add("Add", [add("Add", [scalar("log_4", log(4)), logPtI], hint: "pair.log_4pt_i"), logPtJ], hint: "pair.log_4pt_ij"),
            add("Log", [massTerm], hint: "pair.log_mass_term"),
        ], hint: "pair.log_m2")
        let floor = scalar("log_epsilon", log(PairwiseFeatures.epsilon))
        let features = [(logKT, "log_kt"), (logZ, "log_z"), (logDistance, "log_dr"), (logMassSquared, "log_m2")].map { feature, name in
            add("Unsqueeze", [add("Max", [feature, floor], hint: "pair.\(name).clamped"), constant("axes_3", int64s: [3], shape: [1])],
                hint: "pair.\(name).feature")
        }
        return add("Concat", features, [ONNXAttribute("axis", .int(3))], hint: "pair.features")
    }

    /// The pair bias [N, H, P, P] from the pair features [N, P, P, 4]: the pair BatchNorm in inference mode, the
    /// Dense + GELU layers and the last Dense to one value per head.
    private mutating func pairBias(
        _ features: String, config: TransformerConfig, tensors: MemberTensors, prefix: String
    ) throws(JetExportError) -> String {
        // BatchNorm with the running statistics: x k + (beta - mean k), k = gamma / sqrt(var + eps).
        let count = PairwiseFeatures.featureCount
        let gamma = try tensors.values("pair.norm.weight"), beta = try tensors.values("pair.norm.bias")
        let mean = try tensors.values("pair.norm.running_mean"), variance = try tensors.values("pair.norm.running_var")
        let k = (0..<count).map { 1 / (variance[$0] + batchNormEpsilon).squareRoot() * gamma[$0] }
        var p = add("Add", [
            add("Mul", [features, constant("\(prefix)pair.norm.scale", k, shape: [count])], hint: "\(prefix)pair.norm.scaled"),
            constant("\(prefix)pair.norm.shift", (0..<count).map { beta[$0] - mean[$0] * k[$0] }, shape: [count]),
        ], hint: "\(prefix)pair.norm")
        let pairSizes = [count] + config.pairLayers + [config.heads]
        for i in 0..<(pairSizes.count - 1) {
            p = dense(
                p, weight: try tensors.values("pair.\(i).weight"), bias: try tensors.values("pair.\(i).bias"),
                outputCount: pairSizes[i + 1], inputCount: pairSizes[i], rank: 4, hint: "\(prefix)pair.\(i)")
            if i < config.pairLayers.count { p = gelu(p, hint: "\(prefix)pair.\(i).gelu") }
        }
        return add("Transpose", [p], [ONNXAttribute("perm", .ints([0, 3, 1, 2]))], hint: "\(prefix)pair.bias")
    }

    /// ``JetNN/MultiHeadAttention`` on [N, Pq, C] queries and [N, Pk, C] keys/values: per head softmax(Q K^T /
    /// sqrt(d) + bias) V over the keys `keyValid` [N, 1, 1, Pk] allows, the heads concatenated, the output Dense.
    private mutating func multiHeadAttention(
        queries: String, keysAndValues: String, keyValid: String, bias: String?, name: String, config: TransformerConfig,
        tensors: MemberTensors, prefix: String
    ) throws(JetExportError) -> String {
        let (width, heads) = (config.width, config.heads)
        let d = width / heads
        func projection(_ x: String, _ part: String) throws(JetExportError) -> String {
            dense(
                x, weight: try tensors.values("\(name).\(part).weight"), bias: try tensors.values("\(name).\(part).bias"),
                outputCount: width, inputCount: width, rank: 3, hint: "\(prefix)\(name).\(part)")
        }
        let splitShape = constant("shape_heads_\(heads)x\(d)", int64s: [0, 0, Int64(heads), Int64(d)], shape: [4])
        func splitHeads(_ x: String, perm: [Int64]) -> String {
            add("Transpose", [add("Reshape", [x, splitShape], hint: "\(x).heads")], [ONNXAttribute("perm", .ints(perm))], hint: "\(x).head_major")
        }
        let q = splitHeads(try projection(queries, "query"), perm: [0, 2, 1, 3])  // [N, H, Pq, d]
        let k = splitHeads(try projection(keysAndValues, "key"), perm: [0, 2, 3, 1])  // [N, H, d, Pk]
        let v = splitHeads(try projection(keysAndValues, "value"), perm: [0, 2, 1, 3])  // [N, H, Pk, d]
        var logits = add(
            "Mul", [add("MatMul", [q, k], hint: "\(prefix)\(name).qk"), constant("attention_scale_\(d)", [1 / Float(d).squareRoot()], shape: [])],
            hint: "\(prefix)\(name).logits")
        if let bias { logits = add("Add", [logits, bias], hint: "\(prefix)\(name).biased_logits") }
        // Padded keys far below any real logit: weight exactly 0 (and finite weights for a query with no key).
        logits = add("Where", [keyValid, logits, constant("padding_logit", [-1e30], shape: [])], hint: "\(prefix)\(name).masked_logits")
        let weights = add("Softmax", [logits], [ONNXAttribute("axis", .int(-1))], hint: "\(prefix)\(name).weights")
        let perHead = add("MatMul", [weights, v], hint: "\(prefix)\(name).per_head")  // [N, H, Pq, d]
        let concatenated = add("Reshape", [
            add("Transpose", [perHead], [ONNXAttribute("perm", .ints([0, 2, 1, 3]))], hint: "\(prefix)\(name).slot_major"),
            constant("shape_n_p_\(width)", int64s: [0, 0, Int64(width)], shape: [3]),
        ], hint: "\(prefix)\(name).concatenated")
        return try projection(concatenated, "output")
    }

    /// The feed-forward sub-block with its residual: x + FC2(GELU(FC1(LN(x)))) (dropout is off in inference).
    private mutating func feedForward(
        _ x: String, _ name: String, config: TransformerConfig, tensors: MemberTensors, prefix: String
    ) throws(JetExportError) -> String {
        let (width, hidden) = (config.width, config.feedForward)
        let normed = try layerNorm(x, "\(name).norm", channels: width, tensors: tensors, prefix: prefix)
        let expanded = dense(
            normed, weight: try tensors.values("\(name).0.weight"), bias: try tensors.values("\(name).0.bias"),
            outputCount: hidden, inputCount: width, rank: 3, hint: "\(prefix)\(name).0")
        let contracted = dense(
            gelu(expanded, hint: "\(prefix)\(name).gelu"), weight: try tensors.values("\(name).1.weight"),
            bias: try tensors.values("\(name).1.bias"), outputCount: width, inputCount: hidden, rank: 3, hint: "\(prefix)\(name).1")
        return add("Add", [x, contracted], hint: "\(prefix)\(name).residual")
    }

    /// ``JetNN/LayerNorm`` over the last axis from opset-13 operators: (x - mean) / sqrt(var + eps) gamma + beta
    /// with the biased variance (LayerNormalization is opset 17).
    private mutating func layerNorm(
        _ x: String, _ name: String, channels: Int, tensors: MemberTensors, prefix: String
    ) throws(JetExportError) -> String {
        let hint = "\(prefix)\(name)"
        let last = [ONNXAttribute("axes", .ints([-1])), ONNXAttribute("keepdims", .int(1))]
        let centred = add("Sub", [x, add("ReduceMean", [x], last, hint: "\(hint).mean")], hint: "\(hint).centred")
        let variance = add("ReduceMean", [add("Mul", [centred, centred], hint: "\(hint).squared")], last, hint: "\(hint).variance")
        let epsilon = constant("layer_norm_epsilon", [layerNormEpsilon], shape: [])
        let std = add("Sqrt", [add("Add", [variance, epsilon], hint: "\(hint).variance_eps")], hint: "\(hint).std")
        let normalized = add("Mul", [centred, add("Reciprocal", [std], hint: "\(hint).inverse_std")], hint: "\(hint).normalized")
        let gamma = constant("\(hint).weight", try tensors.values("\(name).weight"), shape: [channels])
        let beta = constant("\(hint).bias", try tensors.values("\(name).bias"), shape: [channels])
        return add("Add", [add("Mul", [normalized, gamma], hint: "\(hint).scaled"), beta], hint: hint)
    }

    /// GELU with the exact normal CDF: x (1 + erf(x / sqrt 2)) / 2.
    private mutating func gelu(_ x: String, hint: String) -> String {
        let scaled = add("Mul", [x, constant("inverse_sqrt_2", [0.70710678118654752], shape: [])], hint: "\(hint).scaled")
        let onePlusErf = add("Add", [constant("one", [1], shape: []), add("Erf", [scaled], hint: "\(hint).erf")], hint: "\(hint).one_plus_erf")
        let cdf = add("Mul", [constant("half", [0.5], shape: []), onePlusErf], hint: "\(hint).cdf")
        return add("Mul", [x, cdf], hint: hint)
    }
}

/// The epsilon of JetNN's LayerNorm layers (the transformer builds them with the default).
let layerNormEpsilon: Float = {
    var parameters = Parameters()
    return LayerNorm("epsilon", channels: 1, parameters: &parameters).epsilon
}()
