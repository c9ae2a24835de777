import JetMetrics
import JetModels
import JetNN

extension TransformerModel {
    /// The mean attention maps (``JetMetrics/AttentionMaps``) of `jets` per class: inference forwards of
    /// `jetsPerForward` jets in order, each followed by a read of ``particleAttention`` and
    /// ``classTokenAttention``. Sums are in Double in jet order, so the maps have the same bits for any thread
    /// count and forward size.
    ///
    /// - Parameters:
    ///   - labels: [B] class index of each jet, in 0..<classNames.count.
    ///   - slots: the constituent slots shown (the first of each jet in pt order), at least 1.
    public mutating func attentionMaps(
        _ jets: PackedJets, labels: [Int], classNames: [String], slots: Int = 30,
        jetsPerForward: Int = defaultJetsPerForward
    ) throws(JetModelsError) -> AttentionMaps {
        precondition(slots > 0 && jetsPerForward > 0, "attentionMaps: slots \(slots), jetsPerForward \(jetsPerForward) must be > 0")
        precondition(labels.count == jets.jetCount, "attentionMaps: \(labels.count) labels for \(jets.jetCount) jets")
        precondition(labels.allSatisfy { (0..<classNames.count).contains($0) }, "attentionMaps: a label outside 0..<\(classNames.count)")
        dropoutStreams.perJet = nil
        var sums = AttentionSums(classes: classNames.count, heads: config.heads, slots: slots, particle: config.particleBlocks > 0)
        for start in stride(from: 0, to: jets.jetCount, by: jetsPerForward) {
            let range = start..<min(start + jetsPerForward, jets.jetCount)
            _ = try forward(jets.jets(range), training: false)
            sums.add(particle: particleAttention, classToken: classTokenAttention!, labels: labels[range])
        }
        return AttentionMaps(
            slots: slots, heads: config.heads,
            particleBlock: config.particleBlocks > 0 ? "block.\(config.particleBlocks - 1)" : nil,
            classBlock: "class.\(config.classBlocks - 1)",
            classes: classNames.indices.map { sums.maps(of: $0, name: classNames[$0]) })
    }
}

/// Running sums behind ``JetMetrics/AttentionMaps``: per class, [H, N, N] particle weights, [H, N] class-token
/// weights on the slots, [H] on the token, and the jets per slot.
struct AttentionSums {
    let heads: Int
    let slots: Int
    private var particle: [[Double]]
    private var classToken: [[Double]]
    private var classSelf: [[Double]]
    private var slotJets: [[Int]]
    private var jets: [Int]

    init(classes: Int, heads: Int, slots: Int, particle hasParticle: Bool) {
        (self.heads, self.slots) = (heads, slots)
        particle = Array(repeating: Array(repeating: 0, count: hasParticle ? heads * slots * slots : 0), count: classes)
        classToken = Array(repeating: Array(repeating: 0, count: heads * slots), count: classes)
        classSelf = Array(repeating: Array(repeating: 0, count: heads), count: classes)
        slotJets = Array(repeating: Array(repeating: 0, count: slots), count: classes)
        jets = Array(repeating: 0, count: classes)
    }

    /// Adds the jets of one forward: `particle` self-attention (nil without a particle block) and the class
    /// token's over [token, constituents], jet b of class `labels[b]`.
    mutating func add(particle weights: AttentionWeights?, classToken tokenWeights: AttentionWeights, labels: ArraySlice<Int>) {
        let (heads, slots) = (heads, slots)
        for (b, label) in labels.enumerated() {
            let n = tokenWeights.keyOffsets.multiplicity(of: b) - 1
            let shown = min(n, slots)
            jets[label] += 1
            for slot in 0..<shown { slotJets[label][slot] += 1 }
            tokenWeights.values.withUnsafeBufferPointer { all in
                let jet = all.baseAddress! + tokenWeights.starts[b]
                for h in 0..<heads {
                    let row = jet + h * (n + 1)
                    classSelf[label][h] += Double(row[0])
                    for slot in 0..<shown { classToken[label][h * slots + slot] += Double(row[slot + 1]) }
                }
            }
            guard let weights else { continue }
            precondition(weights.queryOffsets.multiplicity(of: b) == n, "AttentionSums: the particle and class blocks saw different jets")
            weights.values.withUnsafeBufferPointer { all in
                particle[label].withUnsafeMutableBufferPointer { sum in
                    let jet = all.baseAddress! + weights.starts[b]
                    for h in 0..<heads {
                        for i in 0..<shown {
                            let row = jet + (h * n + i) * n
                            let target = sum.baseAddress! + (h * slots + i) * slots
                            for j in 0..<shown { target[j] += Double(row[j]) }
                        }
                    }
                }
            }
        }
    }

    /// The means of class `c`.
    func maps(of c: Int, name: String) -> AttentionMaps.ClassMaps {
        let counts = slotJets[c]
        func mean(_ sum: Double, _ count: Int) -> Double { count > 0 ? sum / Double(count) : .nan }
        let particleMeans: [[[Double]]] = particle[c].isEmpty ? [] : (0..<heads).map { h in
            (0..<slots).map { i in
                (0..<slots).map { j in mean(particle[c][(h * slots + i) * slots + j], counts[max(i, j)]) }
            }
        }
        return AttentionMaps.ClassMaps(
            className: name, jetCount: jets[c], slotJetCounts: counts, particleMeans: particleMeans,
            classTokenMeans: (0..<heads).map { h in (0..<slots).map { mean(classToken[c][h * slots + $0], counts[$0]) } },
            classTokenSelf: (0..<heads).map { mean(classSelf[c][$0], jets[c]) })
    }
}
