import JetCore
import JetModels
import JetNN

/// Random standardised jets: features uniform in [-1.5, 1.5], packed with the given multiplicities.
func randomJets(multiplicities: [Int32], features: Int, jetFeatures: Int = 0, seed: UInt64) throws -> PackedJets {
    var rng = SeededGenerator(seed: seed)
    let offsets = try JetOffsets(multiplicities: multiplicities, maxConstituents: Int(multiplicities.max() ?? 0))
    let constituents = Matrix(
        rows: offsets.constituentCount, columns: features,
        storage: (0..<(offsets.constituentCount * features)).map { _ in Float.random(in: -1.5...1.5, using: &rng) })
    let jetLevel = jetFeatures == 0
        ? nil
        : Matrix(
            rows: multiplicities.count, columns: jetFeatures,
            storage: (0..<(multiplicities.count * jetFeatures)).map { _ in Float.random(in: -1...1, using: &rng) })
    return PackedJets(constituents: constituents, offsets: offsets, jetFeatures: jetLevel)
}

/// `jets` with their constituent features replaced by `values` (packed [N, F]).
func replacingConstituents(of jets: PackedJets, with values: [Float]) -> PackedJets {
    var copy = jets
    copy.constituents.storage = values
    return copy
}

/// A Deep Sets model that is linear in its inputs for |x| <= 1.5: one Dense(3 -> 4) + ReLU per constituent whose
/// biases (20) keep every ReLU active, sum pooling and an output Dense(4 -> 1). Its logit is
/// sum_p W_head (W_phi x_p + b_phi) + b_head, so d logit / d x_{p,f} = (W_head W_phi)_f for every valid rank p.
///
/// - Returns: the model and (W_head W_phi) [3], computed by hand.
func linearDeepSets() throws -> (model: DeepSetsModel, effectiveWeights: [Float]) {
    var model = try DeepSetsModel(
        config: DeepSetsConfig(inputFeatures: 3, constituentLayers: [4], pooling: .sum, headLayers: []))
    let phi: [Float] = [0.5, -0.25, 0.125, -0.5, 0.375, 0.25, 0.0625, 0.5, -0.375, 0.25, 0.125, -0.125]  // [4, 3]
    let head: [Float] = [0.75, -0.5, 0.25, 1.0]  // [1, 4]
    try model.load([
        NamedTensor(name: "constituent.0.weight", shape: [4, 3], values: phi),
        NamedTensor(name: "constituent.0.bias", shape: [4], values: [20, 20, 20, 20]),
        NamedTensor(name: "head.0.weight", shape: [1, 4], values: head),
        NamedTensor(name: "head.0.bias", shape: [1], values: [-0.3]),
    ])
    let effective = (0..<3).map { f in (0..<4).reduce(Float(0)) { $0 + head[$1] * phi[$1 * 3 + f] } }
    return (model, effective)
}

/// Runs two training forwards on other jets so that BatchNorm's running statistics are not the initial 0 and 1.
func trainRunningStatistics<Model: JetModel>(_ model: inout Model, features: Int, jetFeatures: Int = 0) throws {
    for seed in [101, 102] as [UInt64] {
        _ = try model.forward(
            try randomJets(multiplicities: [5, 2, 7, 3], features: features, jetFeatures: jetFeatures, seed: seed),
            training: true)
    }
}
