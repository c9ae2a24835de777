import JetCore
import Testing

@Suite struct SeededGeneratorTests {
    @Test func sameSeedSameStreamDifferentSeedDifferentStream() {
        var a = SeededGenerator(seed: 42)
        var b = SeededGenerator(seed: 42)
        var c = SeededGenerator(seed: 43)
        let streamA = (0..<100).map { _ in a.next() }
        #expect(streamA == (0..<100).map { _ in b.next() })
        #expect(streamA != (0..<100).map { _ in c.next() })
        // A copy continues from the same position.
        var copy = a
        #expect(copy.nextNormal() == a.nextNormal())
    }

    @Test func knownFirstOutputsOfXoshiro256StarStar() {
        // Reference values from a Python transcription of Vigna's splitmix64.c and xoshiro256starstar.c.
        var rng = SeededGenerator(seed: 0)
        #expect([rng.next(), rng.next(), rng.next()] == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0])
    }

    @Test func uniformAndNormalMoments() {
        var rng = SeededGenerator(seed: 7)
        let n = 100_000
        var (sumU, sumN, sumN2) = (0.0, 0.0, 0.0)
        var outsideUnitInterval = 0
        for _ in 0..<n {
            let u = rng.nextUniform()
            if !(u >= 0 && u < 1) { outsideUnitInterval += 1 }
            sumU += Double(u)
            let z = Double(rng.nextNormal())
            sumN += z
            sumN2 += z * z
        }
        #expect(outsideUnitInterval == 0)
        // Standard errors: uniform mean 0.0009, normal mean 0.003, normal variance 0.0045; 5 sigma bounds.
        #expect(abs(sumU / Double(n) - 0.5) < 0.0046)
        #expect(abs(sumN / Double(n)) < 0.016)
        #expect(abs(sumN2 / Double(n) - 1) < 0.023)
    }
}
