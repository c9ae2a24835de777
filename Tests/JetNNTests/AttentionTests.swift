import Foundation
import JetCore
import JetNN
import JetTestSupport
import Testing

/// Multi-head attention with a pair bias, class attention and ParT's pair features against finite differences
/// and closed forms; single-constituent and empty jets; the same bits on 1 and 2 threads.
@Suite struct AttentionTests {
    /// Jets of 3, 1 (attention over one element), 0 and 4 constituents.
    static let offsets = try! JetOffsets(multiplicities: [3, 1, 0, 4], maxConstituents: 4)
    static let width = 4
    static let heads = 2

    static func attentionLayer() -> (MultiHeadAttention, Parameters) {
        var parameters = Parameters()
        var rng = SeededGenerator(seed: 71)
        let layer = MultiHeadAttention("attention", width: width, heads: heads, parameters: &parameters, rng: &rng)
        // Non-zero biases so their gradients are tested on something.
        for entry in parameters.entries where entry.name.hasSuffix(".bias") {
            parameters.setValues(randomValues(entry.count, seed: UInt64(entry.offset), scale: 0.3), of: entry)
        }
        return (layer, parameters)
    }

    /// y = MHA(x, x, x, bias) as a function of x, the parameters and the bias.
    static func selfAttention(_ x: Matrix, _ parameters: Parameters, bias: Matrix?) -> Matrix {
        var (layer, _) = attentionLayer()
        layer.forward(
            queries: x, queryOffsets: offsets, keysAndValues: x, keyOffsets: offsets,
            bias: bias.map { PairBias($0, offsets: offsets, heads: heads) }, parameters: parameters)
        return layer.output
    }

    @Test func selfAttentionWithPairBiasMatchesFiniteDifferences() throws {
        var (layer, parameters) = Self.attentionLayer()
        let x = Matrix(rows: 8, columns: Self.width, storage: randomValues(32, seed: 72))
        let bias = Matrix(rows: Self.offsets.pairCount, columns: Self.heads, storage: randomValues(Self.offsets.pairCount * Self.heads, seed: 73))
        let projection = randomValues(32, seed: 74)
        var pairBias: PairBias? = PairBias(bias, offsets: Self.offsets, heads: Self.heads)
        layer.forward(queries: x, queryOffsets: Self.offsets, keysAndValues: x, keyOffsets: Self.offsets, bias: pairBias, parameters: parameters)
        parameters.zeroGradients()
        layer.backward(
            &parameters, dOutput: Matrix(rows: 8, columns: Self.width, storage: projection), queries: x, keysAndValues: x,
            bias: &pairBias)
        var biasGradient = Matrix(rows: 0, columns: 0)
        pairBias!.foldedGradient(into: &biasGradient)
        var dx = layer.queryInputGradient
        dx.add(layer.keyValueInputGradient)
        checkInputGradient("attention dInput", analytic: dx, input: x, projection: projection, step: 1e-2) { x in
            Self.selfAttention(x, parameters, bias: bias)
        }
        checkInputGradient("attention dBias", analytic: biasGradient, input: bias, projection: projection, step: 1e-2) { b in
            Self.selfAttention(x, parameters, bias: b)
        }
        checkParameterGradients("attention", parameters: parameters) { p in
            project(Self.selfAttention(x, p, bias: bias).storage, onto: projection)
        }
        // The single constituent attends to itself alone: its value row, projected (the bias cannot matter).
        let single = Self.selfAttention(x, parameters, bias: nil).storage[12..<16]
        #expect(Array(single) == Array(layer.output.storage[12..<16]))
        // Each softmax row sums to one over the jet's constituents.
        let weights = try #require(layer.weights)
        #expect(weights.values.count == (0..<4).reduce(0) { $0 + Self.heads * Self.offsets.multiplicity(of: $1) * Self.offsets.multiplicity(of: $1) })
        for jet in 0..<4 {
            let n = Self.offsets.multiplicity(of: jet)
            for head in 0..<Self.heads {
                for query in 0..<n {
                    let row = (0..<n).map { weights.weight(jet: jet, head: head, query: query, key: $0) }
                    expectClose(row.reduce(0, +), 1, tolerance: .float32, "softmax row")
                }
            }
        }
    }

    @Test func attentionComputesNoPaddedPairs() {
        // Junk in rows of another jet must not change a jet's output: the packing is the key mask.
        let (layer, parameters) = Self.attentionLayer()
        _ = layer
        let x = Matrix(rows: 8, columns: Self.width, storage: randomValues(32, seed: 75))
        var other = x
        for c in 0..<Self.width { other[3, c] = 50 }  // the single-constituent jet 1
        let a = Self.selfAttention(x, parameters, bias: nil)
        let b = Self.selfAttention(other, parameters, bias: nil)
        #expect(Array(a.storage[0..<12]) == Array(b.storage[0..<12]))
        #expect(Array(a.storage[16...]) == Array(b.storage[16...]))
        #expect(!b.storage.contains { !$0.isFinite })
    }

    static func classAttention(_ x: Matrix, _ tokens: Matrix, _ parameters: Parameters) -> Matrix {
        var parameters2 = Parameters()
        var rng = SeededGenerator(seed: 81)
        var layer = ClassAttention("class", width: width, heads: heads, parameters: &parameters2, rng: &rng)
        layer.forward(x, offsets: offsets, tokens: tokens, parameters: parameters)
        return layer.output
    }

    @Test func classAttentionMatchesFiniteDifferences() throws {
        var parameters = Parameters()
        var rng = SeededGenerator(seed: 81)
        var layer = ClassAttention("class", width: Self.width, heads: Self.heads, parameters: &parameters, rng: &rng)
        for entry in parameters.entries {
            parameters.setValues(parameters.values(of: entry).indices.map { _ in 1 + 0.3 * rng.nextNormal() }.map { entry.name.hasSuffix("norm.weight") ? $0 : $0 - 1 }, of: entry)
        }
        let x = Matrix(rows: 8, columns: Self.width, storage: randomValues(32, seed: 82))
        let tokens = Matrix(rows: 4, columns: Self.width, storage: randomValues(16, seed: 83))
        let projection = randomValues(16, seed: 84)
        layer.forward(x, offsets: Self.offsets, tokens: tokens, parameters: parameters)
        parameters.zeroGradients()
        layer.backward(&parameters, dOutput: Matrix(rows: 4, columns: Self.width, storage: projection), tokens: tokens)
        checkInputGradient("class attention dConstituents", analytic: layer.constituentGradient, input: x, projection: projection) { x in
            Self.classAttention(x, tokens, parameters)
        }
        checkInputGradient("class attention dTokens", analytic: layer.tokenGradient, input: tokens, projection: projection) { t in
            Self.classAttention(x, t, parameters)
        }
        checkParameterGradients("class attention", parameters: parameters) { p in
            project(Self.classAttention(x, tokens, p).storage, onto: projection)
        }
        // The empty jet 2 attends to its own token only: weight 1 in every head.
        let weights = try #require(layer.weights)
        #expect(weights.starts[3] - weights.starts[2] == Self.heads)
        #expect((0..<Self.heads).allSatisfy { abs(weights.weight(jet: 2, head: $0, query: 0, key: 0) - 1) < 1e-6 })
    }

    /// Constituents [N, 3]: deta, dphi, ln pt.
    static let kinematics = Matrix(rows: 8, columns: 3, storage: [
        0.10, -0.20, 3.0, -0.30, 0.25, 2.2, 0.05, 0.40, 1.1,
        0.00, 0.00, 4.0,
        0.50, -0.60, 2.5, -0.40, 0.70, 1.5, 0.20, 0.10, 3.3, -0.10, -0.45, 0.7,
    ])

    @Test func pairFeaturesMatchClosedFormsAndFiniteDifferences() {
        var features = PairwiseFeatures(etaColumn: 0, phiColumn: 1, logPtColumn: 2)
        features.forward(Self.kinematics, offsets: Self.offsets)
        #expect(features.output.rows == 6 + 1 + 0 + 10)
        // Pair (1, 0) of the first jet: row 1. Closed forms in Double.
        let (eta, phi) = (-0.30 - 0.10, 0.25 + 0.20)
        let (ptI, ptJ) = (exp(2.2), exp(3.0))
        let dR = (eta * eta + phi * phi).squareRoot()
        let expected = [
            log(min(ptI, ptJ) * dR), log(min(ptI, ptJ) / (ptI + ptJ)), log(dR),
            log(2 * ptI * ptJ * (cosh(eta) - cos(phi))),
        ].map { Float($0) }
        expectClose(Array(features.output.storage[4..<8]), expected, tolerance: .closedForm, "pair (1, 0)")
        // The diagonal: ln eps for kT, dR and m^2, ln 1/2 for z (ParT's clamps).
        let logEps = Float(log(1e-8))
        expectClose(Array(features.output.storage[0..<4]), [logEps, log(0.5), logEps, logEps], tolerance: .closedForm, "diagonal")
        // The single-constituent jet has its diagonal only.
        expectClose(Array(features.output.storage[24..<28]), [logEps, log(0.5), logEps, logEps], tolerance: .closedForm, "single")
        let projection = randomValues(features.output.count, seed: 91)
        features.backward(dOutput: Matrix(rows: features.output.rows, columns: 4, storage: projection), input: Self.kinematics)
        checkInputGradient("pair features", analytic: features.inputGradient, input: Self.kinematics, projection: projection, step: 1e-3) { x in
            var layer = PairwiseFeatures(etaColumn: 0, phiColumn: 1, logPtColumn: 2)
            layer.forward(x, offsets: Self.offsets)
            return layer.output
        }
        // The phi difference wraps: two constituents either side of +-pi are close.
        var wrapped = PairwiseFeatures(etaColumn: 0, phiColumn: 1, logPtColumn: 2)
        wrapped.forward(Matrix(rows: 2, columns: 3, storage: [0, 3.1, 1, 0, -3.1, 1]), offsets: JetOffsets(offsets: [0, 2]))
        expectClose(wrapped.output[1, 2], Float(log(2 * Double.pi - 6.2)), tolerance: .float32, "wrapped dR")
    }

    @Test func sameBitsOnOneAndTwoThreads() {
        let offsets = try! JetOffsets(multiplicities: (0..<40).map { Int32(($0 * 7) % 30 + 1) }, maxConstituents: 30)
        let n = offsets.constituentCount
        let x = Matrix(rows: n, columns: 8, storage: randomValues(n * 8, seed: 101))
        let bias = Matrix(rows: offsets.pairCount, columns: 2, storage: randomValues(offsets.pairCount * 2, seed: 102))
        let dOut = Matrix(rows: n, columns: 8, storage: randomValues(n * 8, seed: 103))
        func run(threads: Int) -> [Float] {
            ComputeThreads.set(threads)
            defer { ComputeThreads.set(1) }
            var parameters = Parameters()
            var rng = SeededGenerator(seed: 104)
            var layer = MultiHeadAttention("a", width: 8, heads: 2, parameters: &parameters, rng: &rng)
            var pairBias: PairBias? = PairBias(bias, offsets: offsets, heads: 2)
            layer.forward(queries: x, queryOffsets: offsets, keysAndValues: x, keyOffsets: offsets, bias: pairBias, parameters: parameters)
            layer.backward(&parameters, dOutput: dOut, queries: x, keysAndValues: x, bias: &pairBias)
            var biasGradient = Matrix(rows: 0, columns: 0)
            pairBias!.foldedGradient(into: &biasGradient)
            var pairs = PairwiseFeatures(etaColumn: 0, phiColumn: 1, logPtColumn: 2)
            pairs.forward(x, offsets: offsets)
            pairs.backward(dOutput: Matrix(rows: offsets.pairCount, columns: 4, repeating: 0.5), input: x)
            return layer.output.storage + parameters.gradients + biasGradient.storage + layer.keyValueInputGradient.storage
                + pairs.output.storage + pairs.inputGradient.storage
        }
        #expect(run(threads: 1) == run(threads: 2))
    }
}
