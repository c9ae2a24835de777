import JetCore
import JetFeatures
import Testing

/// The `weights.weighting` section jet by jet (``JetWeighter``) against the whole-array functions it replaces in
/// training, and its resampling against the expected counts.
@Suite struct JetWeighterTests {
    /// 4000 jets of 2 classes: class 1 softer in pt, signed weights with some negative ones.
    private static let jets: (labels: [Int32], weights: [Float], fields: [String: [Float]]) = {
        var generator = SeededGenerator(seed: 5)
        var (labels, weights, pt, eta) = ([Int32](), [Float](), [Float](), [Float]())
        for jet in 0..<4000 {
            let label = Int32(jet % 2)
            labels.append(label)
            weights.append(generator.nextUniform() < 0.05 ? -0.5 : 0.5 + generator.nextUniform())
            pt.append(label == 0 ? 20 * generator.nextUniform() : 20 * generator.nextUniform() * generator.nextUniform())
            eta.append(4 * generator.nextUniform() - 2)
        }
        return (labels, weights, ["pt": pt, "eta": eta])
    }()

    /// The weighter of `spec` over `jets` with its histograms summed over two halves (as two shards are).
    private func weighter(_ spec: WeightingSpec) throws -> (JetWeighter, bins: [Int]) {
        let (labels, weights, fields) = Self.jets
        let bins = try JetWeighter.bins(of: spec, fields: fields, count: labels.count, rows: [])
        let binCount = try JetWeighter.binCount(of: spec)
        var halves = [WeightingHistograms](repeating: .init(classCount: 2, binCount: binCount), count: 2)
        for jet in labels.indices {
            try halves[jet < 2000 ? 0 : 1].add(label: labels[jet], bin: bins[jet], weight: weights[jet], row: jet)
        }
        var total = halves[0]
        total.add(halves[1])
        return (try JetWeighter(spec: spec, histograms: total), bins)
    }

    @Test func flatteningAndClassBalanceGiveTheWeightsOfTheArrayFunctions() throws {
        let (labels, weights, fields) = Self.jets
        for method in [WeightingSpec.Method.none, .weighting] {
            let spec = WeightingSpec(method: method, binning: WeightingTests.binning, targetClass: 0, balanceClasses: true)
            var (weighter, bins) = try weighter(spec)
            // the second pass: per-class sums of the method's weights
            var (sums, counts) = ([0.0, 0.0], [0.0, 0.0])
            for jet in labels.indices {
                sums[Int(labels[jet])] += Double(weighter.methodWeight(label: labels[jet], bin: bins[jet], weight: weights[jet]))
                counts[Int(labels[jet])] += 1
            }
            if weighter.needsBalanceSums { try weighter.balance(sums: sums, counts: counts, entries: labels.count) }
            #expect(weighter.needsBalanceSums == false)
            let expected = try spec.apply(labels: labels, weights: weights, fields: fields, classCount: 2)
            let got = labels.indices.map { weighter.weight(label: labels[$0], bin: bins[$0], weight: weights[$0]) }
            #expect(labels.indices.allSatisfy { weighter.copies(label: labels[$0], bin: bins[$0], weight: weights[$0], key: UInt64($0)) == 1 })
            expectClose(got, expected.weights, tolerance: 1e-5, "\(method)")
        }
    }

    @Test func resamplingByKeyDrawsAboutTheCountsOfTheArrayFunctions() throws {
        let (labels, weights, fields) = Self.jets
        for method in [WeightingSpec.Method.pdf, .count] {
            let spec = WeightingSpec(method: method, binning: WeightingTests.binning, balanceClasses: false, seed: 3)
            let (weighter, bins) = try weighter(spec)
            let expected = try spec.apply(labels: labels, weights: weights, fields: fields, classCount: 2)
            // per class and bin: copies drawn jet by jet against the array functions' exact draws
            var drawn = [Int](repeating: 0, count: 2 * 4)
            var exact = drawn
            for jet in labels.indices {
                let copies = weighter.copies(label: labels[jet], bin: bins[jet], weight: weights[jet], key: UInt64(jet))
                drawn[Int(labels[jet]) * 4 + bins[jet]] += copies
                if copies > 0 {
                    let weight = weighter.weight(label: labels[jet], bin: bins[jet], weight: weights[jet])
                    #expect(weight == (method == .pdf ? (weights[jet] < 0 ? -1 : 1) : weights[jet]))
                }
            }
            for jet in expected.indices { exact[Int(labels[jet]) * 4 + bins[jet]] += 1 }
            for cell in drawn.indices {
                let tolerance = 5 * Double(exact[cell]).squareRoot() + 5
                #expect(abs(Double(drawn[cell] - exact[cell])) < tolerance, "\(method) cell \(cell): \(drawn) vs \(exact)")
            }
            // the same seed and keys draw the same copies; another seed others
            let other = try self.weighter(WeightingSpec(method: method, binning: WeightingTests.binning, balanceClasses: false, seed: 4)).0
            let copies = { (w: JetWeighter) in
                labels.indices.map { w.copies(label: labels[$0], bin: bins[$0], weight: weights[$0], key: UInt64($0)) }
            }
            #expect(copies(weighter) == copies(weighter))
            #expect(copies(weighter) != copies(other))
        }
    }

    @Test func badLabelsWeightsAndEmptyClassesAreNamed() throws {
        var histograms = WeightingHistograms(classCount: 2, binCount: 1)
        #expect(throws: JetFeaturesError.invalidLabel(row: 12, label: 5, classCount: 2)) {
            try histograms.add(label: 5, bin: 0, weight: 1, row: 12)
        }
        #expect(throws: JetFeaturesError.nonFiniteInput(field: "weight", row: 3, constituent: nil, value: .infinity)) {
            try histograms.add(label: 0, bin: 0, weight: .infinity, row: 3)
        }
        try histograms.add(label: 0, bin: 0, weight: 1, row: 0)
        #expect(throws: JetFeaturesError.emptyClass(label: 1)) {
            try JetWeighter(spec: WeightingSpec(balanceClasses: true), histograms: histograms)
        }
        #expect(throws: JetFeaturesError.invalidSpec("weighting method 'count' needs a binning")) {
            try JetWeighter.binCount(of: WeightingSpec(method: .count))
        }
    }
}
