import JetCore
import JetFeatures
import Testing

/// "pdf" and "count" resampling: determinism, hand-checkable outcomes and the drawn distribution.
@Suite struct ResamplingTests {
    static let binning = KinematicBinning(axes: [.init(field: "pt", edges: [0, 10, 20])])

    /// Class 0: 800 jets in bin 0 and 200 in bin 1, every fourth jet with weight -0.5, the rest 1.
    /// Class 1: 300 in bin 0, 700 in bin 1, unit weights.
    static func sample() -> (labels: [Int32], weights: [Float], bins: [Int]) {
        let labels = [Int32](repeating: 0, count: 1000) + [Int32](repeating: 1, count: 1000)
        let bins = (0..<1000).map { $0 < 800 ? 0 : 1 } + (0..<1000).map { $0 < 300 ? 0 : 1 }
        let weights = (0..<1000).map { $0 % 4 == 3 ? Float(-0.5) : 1 } + [Float](repeating: 1, count: 1000)
        return (labels, weights, bins)
    }

    @Test func pdfIsDeterministicForASeed() throws {
        let (labels, weights, bins) = Self.sample()
        func draw(seed: UInt64) throws -> [Int] {
            try Resampling.pdf(
                weights: weights, labels: labels, bins: bins, binning: Self.binning, classCount: 2,
                targetClass: 1, draws: 500, seed: seed).indices
        }
        let first = try draw(seed: 42)
        #expect(first.count == 1000)
        #expect(try draw(seed: 42) == first)
        #expect(try draw(seed: 43) != first)
        #expect(first == first.sorted())
    }

    @Test func pdfDrawsFollowTheTargetDistributionWithSignedWeights() throws {
        let (labels, weights, bins) = Self.sample()
        let draws = 20_000
        let result = try Resampling.pdf(
            weights: weights, labels: labels, bins: bins, binning: Self.binning, classCount: 2,
            targetClass: 1, draws: draws, seed: 7)
        #expect(result.indices.count == 2 * draws)
        #expect(zip(result.indices, result.weights).allSatisfy { $1 == (weights[$0] < 0 ? -1 : 1) })

        // Target density (class 1): 0.3, 0.7. Class 0's signed sums: bin 0: 600 - 100 = 500, bin 1:
        // 150 - 25 = 125; draw probability per bin is |w| sum * ratio: bin 0: 700 * 0.3 / 0.8 = 262.5,
        // bin 1: 175 * 0.7 / 0.2 = 612.5, so P(bin 1) = 0.7 and, within a bin, P(negative) = 0.25 * 0.5 / 0.875.
        let class0 = result.indices.enumerated().filter { labels[$0.element] == 0 }
        let inBin1 = Double(class0.filter { bins[$0.element] == 1 }.count) / Double(draws)
        let negative = Double(class0.filter { result.weights[$0.offset] < 0 }.count) / Double(draws)
        let sigma = (0.7 * 0.3 / Double(draws)).squareRoot()
        #expect(abs(inBin1 - 0.7) < 4 * sigma, "class 0 fraction in bin 1: \(inBin1)")
        let pNegative = 0.125 / 0.875
        #expect(abs(negative - pNegative) < 4 * (pNegative * (1 - pNegative) / Double(draws)).squareRoot())
        // Signed fraction in bin 1 estimates the flattened weights' share there: 0.7.
        let signed = class0.map { (bin: bins[$0.element], weight: Double(result.weights[$0.offset])) }
        let signedBin1 = signed.filter { $0.bin == 1 }.map(\.weight).reduce(0, +) / signed.map(\.weight).reduce(0, +)
        #expect(abs(signedBin1 - 0.7) < 0.02, "signed share in bin 1: \(signedBin1)")
    }

    @Test func countKeepsTheSmallestClassCountPerBin() throws {
        // Bin 0: class 0 has jets 0, 1, 2 and class 1 has jet 5 -> one each; bin 1: class 0 has jet 3,
        // class 1 has jets 4, 6 -> one each.
        let labels: [Int32] = [0, 0, 0, 0, 1, 1, 1]
        let bins = [0, 0, 0, 1, 1, 0, 1]
        let kept = try Resampling.count(labels: labels, bins: bins, binCount: 2, classCount: 2, seed: 3)
        #expect(kept.count == 4 && kept == kept.sorted() && Set(kept).count == 4)
        #expect(kept.contains(3) && kept.contains(5))
        #expect(kept.filter { [0, 1, 2].contains($0) }.count == 1)
        #expect(kept.filter { [4, 6].contains($0) }.count == 1)
        #expect(try Resampling.count(labels: labels, bins: bins, binCount: 2, classCount: 2, seed: 3) == kept)

        // Over many seeds every class-0 jet of bin 0 is chosen about a third of the time.
        var chosen = [0, 0, 0]
        for seed in 0..<3000 {
            let picks = try Resampling.count(labels: labels, bins: bins, binCount: 2, classCount: 2, seed: UInt64(seed))
            for jet in picks where jet < 3 { chosen[jet] += 1 }
        }
        let sigma = (3000 * (1.0 / 3) * (2.0 / 3)).squareRoot()
        #expect(chosen.allSatisfy { abs(Double($0) - 1000) < 4 * sigma }, "choices per jet: \(chosen)")
    }

    @Test func countThroughSpecKeepsSignedWeights() throws {
        let spec = WeightingSpec(method: .count, binning: Self.binning, balanceClasses: false, seed: 1)
        let result = try spec.apply(
            labels: [0, 1, 0, 1], weights: [-2, 3, 4, 5], fields: ["pt": [5, 5, 15, 15]], classCount: 2)
        #expect(result.indices == [0, 1, 2, 3])
        #expect(result.weights == [-2, 3, 4, 5])
    }

    @Test func generatorStreamIsFixed() {
        // xoshiro256** seeded by SplitMix64(0), from an independent Python transcription of the reference C
        // code (Blackman & Vigna): a change of algorithm would change every stored resampling.
        var a = SeededGenerator(seed: 0)
        var b = SeededGenerator(seed: 0)
        let first = (0..<4).map { _ in a.next() }
        #expect(first == (0..<4).map { _ in b.next() })
        #expect(first == [11_091_344_671_253_066_420, 13_793_997_310_169_335_082, 1_900_383_378_846_508_768, 7_684_712_102_626_143_532])
        var c = SeededGenerator(seed: 1)
        let unit = (0..<1000).map { _ in c.nextUnitInterval() }
        #expect(unit.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean: Double = unit.reduce(0, +) / 1000
        let sigma: Double = (1.0 / 12 / 1000).squareRoot()
        #expect(abs(mean - 0.5) < 4 * sigma)
    }
}
