import Foundation
import JetCore
import JetMetrics
import JetModels
import JetNN
import JetTestSupport
import Testing
@testable import JetSaliency

/// A transformer's attention weights and their mean maps per class, against a direct recomputation in Double.
@Suite struct AttentionMapsTests {
    static let features = 4

    static func config(particleBlocks: Int, pairColumns: [Int]) -> TransformerConfig {
        TransformerConfig(
            inputFeatures: features, embedLayers: [8], heads: 2, particleBlocks: particleBlocks, classBlocks: 1,
            feedForward: 8, pairLayers: pairColumns.isEmpty ? [] : [4], pairColumns: pairColumns, dropout: 0.1)
    }

    /// A model with every parameter drawn away from its initial value (attention biases start at 0, norms at 1).
    static func model(_ config: TransformerConfig, seed: UInt64) throws -> TransformerModel {
        var model = try TransformerModel(config: config, seed: seed)
        var rng = SeededGenerator(seed: seed + 100)
        for entry in model.parameters.entries {
            let values = model.parameters.values(of: entry)
            let isScale = entry.name.hasSuffix("norm.weight") || entry.name.hasSuffix("running_var")
            model.parameters.setValues(values.map { (isScale ? 1 : $0) + 0.4 * rng.nextNormal() }.map { isScale ? abs($0) : $0 }, of: entry)
        }
        return model
    }

    static func jets(_ multiplicities: [Int32], seed: UInt64) throws -> PackedJets {
        var rng = SeededGenerator(seed: seed)
        let slots = Int(multiplicities.max() ?? 1)
        let padded = (0..<(multiplicities.count * slots * features)).map { _ in rng.nextNormal() * 0.7 }
        return try PackedJets(padded: padded, multiplicities: multiplicities, maxConstituents: slots, features: features)
    }

    @Test func rowsSumToOneOverTheRealConstituentsAndASingleConstituentHasWeightOne() throws {
        var model = try Self.model(Self.config(particleBlocks: 2, pairColumns: [0, 1, 2]), seed: 1)
        let multiplicities: [Int32] = [5, 1, 3, 0, 7]
        _ = try model.forward(try Self.jets(multiplicities, seed: 2), training: false)
        let particle = try #require(model.particleAttention)
        let token = try #require(model.classTokenAttention)
        let n = multiplicities.map(Int.init)
        // Entries for the real constituents only: H n^2 per jet, H (n + 1) for the token.
        #expect(particle.values.count == n.reduce(0) { $0 + 2 * $1 * $1 })
        #expect(token.values.count == n.reduce(0) { $0 + 2 * ($1 + 1) })
        #expect(particle.values.allSatisfy { $0 >= 0 && $0 <= 1 } && token.values.allSatisfy { $0 >= 0 && $0 <= 1 })
        for jet in n.indices {
            for head in 0..<2 {
                for query in 0..<n[jet] {
                    let row = (0..<n[jet]).map { particle.weight(jet: jet, head: head, query: query, key: $0) }
                    expectClose(row.reduce(0, +), 1, tolerance: .float32, "jet \(jet) head \(head) row \(query)")
                }
                let row = (0...n[jet]).map { token.weight(jet: jet, head: head, query: 0, key: $0) }
                expectClose(row.reduce(0, +), 1, tolerance: .float32, "jet \(jet) head \(head) class token")
                if n[jet] == 1 { #expect(particle.weight(jet: jet, head: head, query: 0, key: 0) == 1) }
                if n[jet] == 0 { #expect(token.weight(jet: jet, head: head, query: 0, key: 0) == 1) }
            }
        }
        // In the maps: slot 0 of the single-constituent jet (class 1 alone) has mean weight exactly 1; slots no
        // jet of a class reaches are NaN with 0 jets.
        let maps = try model.attentionMaps(
            try Self.jets(multiplicities, seed: 2), labels: [0, 1, 0, 2, 0], classNames: ["a", "b", "c"], slots: 6)
        #expect(maps.classes.map(\.jetCount) == [3, 1, 1])
        #expect(maps.classes[0].slotJetCounts == [3, 3, 3, 2, 2, 1])
        #expect(maps.classes[1].slotJetCounts == [1, 0, 0, 0, 0, 0])
        #expect(maps.classes[1].particleMeans.allSatisfy { $0[0][0] == 1 && $0[0][1].isNaN && $0[1][0].isNaN })
        #expect(maps.classes[2].classTokenSelf == [1, 1] && maps.classes[2].classTokenMeans.allSatisfy { $0.allSatisfy(\.isNaN) })
        #expect(maps.particleBlock == "block.1" && maps.classBlock == "class.0")
    }

    // MARK: - Direct recomputation

    /// x W^T + b for a [R, I] row-major x and a Dense's "<name>.weight" [O, I], "<name>.bias" [O].
    static func dense(_ x: [[Double]], _ name: String, _ p: Parameters) -> [[Double]] {
        let w = p.values(of: p.entry(named: name + ".weight")!).map(Double.init)
        let b = p.values(of: p.entry(named: name + ".bias")!).map(Double.init)
        let inputs = x.first?.count ?? 0
        return x.map { row in b.indices.map { o in b[o] + (0..<inputs).reduce(0) { $0 + w[o * inputs + $1] * row[$1] } } }
    }

    static func layerNorm(_ x: [[Double]], _ name: String, _ p: Parameters) -> [[Double]] {
        let gamma = p.values(of: p.entry(named: name + ".weight")!).map(Double.init)
        let beta = p.values(of: p.entry(named: name + ".bias")!).map(Double.init)
        return x.map { row in
            let mean = row.reduce(0, +) / Double(row.count)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(row.count)
            return row.indices.map { gamma[$0] * (row[$0] - mean) / (variance + 1e-5).squareRoot() + beta[$0] }
        }
    }

    /// The embedding: LayerNorm, Dense, exact GELU x Phi(x).
    static func embed(_ x: [[Double]], _ p: Parameters) -> [[Double]] {
        dense(layerNorm(x, "embed.0.norm", p), "embed.0", p).map { $0.map { $0 * 0.5 * (1 + erf($0 / 2.0.squareRoot())) } }
    }

    /// softmax(q_h k_h^T / sqrt(d)) per head: [h][query][key].
    static func softmaxAttention(_ q: [[Double]], _ k: [[Double]], heads: Int) -> [[[Double]]] {
        let d = q[0].count / heads
        return (0..<heads).map { h in
            q.map { qi in
                let logits = k.map { kj in (0..<d).reduce(0) { $0 + qi[h * d + $1] * kj[h * d + $1] } / Double(d).squareRoot() }
                let top = logits.max()!
                let e = logits.map { exp($0 - top) }
                let total = e.reduce(0, +)
                return e.map { $0 / total }
            }
        }
    }

    static let multiplicities: [Int32] = [6, 2, 9, 1, 4, 9, 3, 7, 5, 8]
    static let labels = [0, 1, 1, 0, 1, 0, 0, 1, 1, 0]
    static let slots = 5

    /// The rows of jet b of `jets` as [[Double]].
    static func rows(_ jets: PackedJets, _ b: Int) -> [[Double]] {
        jets.offsets.rows(of: b).map { r in (0..<features).map { Double(jets.constituents[r, $0]) } }
    }

    /// One particle block without pair bias: the last block's weights are softmax of the projections of
    /// LN(embed(x)); averaged per class over the jets that have both slots.
    @Test func particleMapsEqualADirectComputation() throws {
        var model = try Self.model(Self.config(particleBlocks: 1, pairColumns: []), seed: 3)
        let jets = try Self.jets(Self.multiplicities, seed: 4)
        let maps = try model.attentionMaps(jets, labels: Self.labels, classNames: ["q", "t"], slots: Self.slots, jetsPerForward: 3)
        let p = model.parameters
        var sums = [[Double]](repeating: [Double](repeating: 0, count: 2 * Self.slots * Self.slots), count: 2)
        var counts = [[Double]](repeating: [Double](repeating: 0, count: Self.slots * Self.slots), count: 2)
        for b in 0..<jets.jetCount {
            let u = Self.layerNorm(Self.embed(Self.rows(jets, b), p), "block.0.attention_norm", p)
            let a = Self.softmaxAttention(Self.dense(u, "block.0.attention.query", p), Self.dense(u, "block.0.attention.key", p), heads: 2)
            let n = min(Int(Self.multiplicities[b]), Self.slots)
            for i in 0..<n {
                for j in 0..<n {
                    counts[Self.labels[b]][i * Self.slots + j] += 1
                    for h in 0..<2 { sums[Self.labels[b]][(h * Self.slots + i) * Self.slots + j] += a[h][i][j] }
                }
            }
        }
        for c in 0..<2 {
            #expect(maps.classes[c].jetCount == Self.labels.filter { $0 == c }.count)
            for h in 0..<2 {
                for i in 0..<Self.slots {
                    for j in 0..<Self.slots {
                        let expected = sums[c][(h * Self.slots + i) * Self.slots + j] / counts[c][i * Self.slots + j]
                        let got = maps.classes[c].particleMeans[h][i][j]
                        #expect(abs(got - expected) < 1e-5, "class \(c) head \(h) cell (\(i), \(j)): \(got) vs \(expected)")
                    }
                }
            }
        }
    }

    /// No particle block: the class token t (a parameter) queries LN([t; embed(x)]).
    @Test func classTokenMapsEqualADirectComputation() throws {
        var model = try Self.model(Self.config(particleBlocks: 0, pairColumns: []), seed: 5)
        let jets = try Self.jets(Self.multiplicities, seed: 6)
        let maps = try model.attentionMaps(jets, labels: Self.labels, classNames: ["q", "t"], slots: Self.slots)
        #expect(maps.particleBlock == nil && maps.classes.allSatisfy { $0.particleMeans.isEmpty })
        let p = model.parameters
        let token = p.values(of: p.entry(named: "class_token")!).map(Double.init)
        let query = Self.dense([token], "class.0.attention.query", p)
        var sums = [[Double]](repeating: [Double](repeating: 0, count: 2 * (Self.slots + 1)), count: 2)
        var counts = [[Double]](repeating: [Double](repeating: 0, count: Self.slots + 1), count: 2)
        for b in 0..<jets.jetCount {
            let keys = Self.dense(Self.layerNorm([token] + Self.embed(Self.rows(jets, b), p), "class.0.norm", p), "class.0.attention.key", p)
            let a = Self.softmaxAttention(query, keys, heads: 2)
            for k in 0...min(Int(Self.multiplicities[b]), Self.slots) {
                counts[Self.labels[b]][k] += 1
                for h in 0..<2 { sums[Self.labels[b]][h * (Self.slots + 1) + k] += a[h][0][k] }
            }
        }
        for c in 0..<2 {
            for h in 0..<2 {
                let expected = (0...Self.slots).map { sums[c][h * (Self.slots + 1) + $0] / counts[c][$0] }
                expectClose(maps.classes[c].classTokenSelf[h], expected[0], tolerance: 1e-5, "class \(c) head \(h) token")
                for slot in 0..<Self.slots {
                    expectClose(maps.classes[c].classTokenMeans[h][slot], expected[slot + 1], tolerance: 1e-5, "class \(c) head \(h) slot \(slot)")
                }
            }
        }
    }

    @Test func mapsHaveTheSameBitsOnOneAndTwoThreads() throws {
        let jets = try Self.jets((0..<40).map { Int32($0 % 11 + 1) }, seed: 7)
        let labels = (0..<40).map { $0 % 3 == 0 ? 1 : 0 }
        func maps(threads: Int) throws -> AttentionMaps {
            ComputeThreads.set(threads)
            defer { ComputeThreads.set(1) }
            var model = try Self.model(Self.config(particleBlocks: 2, pairColumns: [0, 1, 2]), seed: 8)
            return try model.attentionMaps(jets, labels: labels, classNames: ["q", "t"], slots: 8, jetsPerForward: 16)
        }
        let (one, two) = (try maps(threads: 1), try maps(threads: 2))
        // Bitwise (NaN cells compare by their bits).
        #expect(try MetricsJSON.makeEncoder().encode(one) == MetricsJSON.makeEncoder().encode(two))
    }
}
