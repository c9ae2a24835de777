import JetNN
import JetTestSupport
import Testing

@Suite struct PackingTests {
    @Test func packUnpackRoundTripKeepsValidAndZeroesPadding() throws {
        let (jets, slots, features) = (4, 5, 3)
        let multiplicities: [Int32] = [2, 0, 5, 1]
        let offsets = try JetOffsets(multiplicities: multiplicities, maxConstituents: slots)
        #expect(offsets.offsets == [0, 2, 2, 7, 8])
        var padded = randomValues(jets * slots * features, seed: 31)
        for jet in 0..<jets {
            for slot in Int(multiplicities[jet])..<slots {
                for f in 0..<features { padded[(jet * slots + slot) * features + f] = 0 }
            }
        }
        let packed = offsets.pack(padded, maxConstituents: slots, features: features)
        #expect(packed.rows == 8 && packed.columns == 3)
        // Jet 2's fourth constituent is packed row 2 + 3.
        #expect(packed[5, 1] == padded[(2 * slots + 3) * features + 1])
        #expect(offsets.unpack(packed, maxConstituents: slots) == padded)
    }

    @Test func packingPerFieldColumnsMatchesInterleavedPacking() throws {
        let (jets, slots) = (3, 4)
        let offsets = try JetOffsets(multiplicities: [4, 1, 2], maxConstituents: slots)
        let pt = randomValues(jets * slots, seed: 32)
        let eta = randomValues(jets * slots, seed: 33)
        var interleaved = [Float](repeating: 0, count: jets * slots * 2)
        for i in 0..<(jets * slots) {
            interleaved[2 * i] = pt[i]
            interleaved[2 * i + 1] = eta[i]
        }
        #expect(offsets.pack(fields: [pt, eta], maxConstituents: slots) == offsets.pack(interleaved, maxConstituents: slots, features: 2))
    }

    @Test func maskGivesOffsetsAndRejectsBadMasks() throws {
        let mask: [Float] = [1, 1, 0, 0, 0, 0, 1, 1, 1]
        let offsets = try JetOffsets(mask: mask, jetCount: 3, maxConstituents: 3)
        #expect(offsets.offsets == [0, 2, 2, 5])
        #expect(offsets.maxMultiplicity == 3)
        #expect(throws: JetNNError.maskNotPrefix(jet: 0, slot: 2)) {
            try JetOffsets(mask: [1, 0, 1], jetCount: 1, maxConstituents: 3)
        }
        #expect(throws: JetNNError.maskValue(jet: 0, slot: 1, value: 0.5)) {
            try JetOffsets(mask: [1, 0.5, 0], jetCount: 1, maxConstituents: 3)
        }
        #expect(throws: JetNNError.multiplicityOutOfRange(jet: 1, multiplicity: 4, maxConstituents: 3)) {
            try JetOffsets(multiplicities: [1, 4], maxConstituents: 3)
        }
        #expect(JetNNError.maskNotPrefix(jet: 0, slot: 2).description
            == "constituent mask of jet 0: slot 2 is valid after an invalid slot; valid constituents must come first (pt-ordered prefix)")
    }

    /// Ranges of whole jets close once they hold the asked rows; empty jets ride along; every jet is covered once.
    @Test func jetRangesCoverEveryJetInOrder() throws {
        let offsets = try JetOffsets(multiplicities: [3, 0, 5, 2, 7], maxConstituents: 10)
        #expect(JetOffsets(offsets: [0, 3, 3, 8, 10, 17]) == offsets)
        #expect(offsets.jetRanges(ofAboutRows: 4) == [0..<3, 3..<5])
        #expect(offsets.jetRanges(ofAboutRows: 1) == [0..<1, 1..<3, 3..<4, 4..<5])
        #expect(offsets.jetRanges(ofAboutRows: 100) == [0..<5])
        #expect(try JetOffsets(multiplicities: [], maxConstituents: 10).jetRanges(ofAboutRows: 4).isEmpty)
        #expect(try JetOffsets(multiplicities: [0, 0], maxConstituents: 10).jetRanges(ofAboutRows: 4) == [0..<2])
    }

    /// Appended jets own the rows after the existing ones.
    @Test func appendedOffsetsFollowTheExistingRows() throws {
        var offsets = try JetOffsets(multiplicities: [3, 0], maxConstituents: 5)
        offsets.append(contentsOf: try JetOffsets(multiplicities: [2, 0, 1], maxConstituents: 5))
        #expect(offsets == JetOffsets(offsets: [0, 3, 3, 5, 5, 6]))
        offsets.append(contentsOf: JetOffsets(offsets: [0]))
        #expect(offsets.jetCount == 5 && offsets.constituentCount == 6)
    }
}

@Suite struct MatrixTests {
    @Test func resizeReusesCapacityAndKeepsTheShapeConsistent() {
        var matrix = Matrix(rows: 4, columns: 3, repeating: 1)
        matrix.resize(rows: 2, columns: 5)
        #expect(matrix.rows == 2 && matrix.columns == 5 && matrix.count == 10)
        let capacity = matrix.storage.capacity
        matrix.resize(rows: 1, columns: 12)
        #expect(matrix.count == 12 && matrix.storage.capacity == capacity, "growing within capacity does not allocate")
        matrix.resize(rows: 100, columns: 3)
        #expect(matrix.count == 300 && matrix.storage.capacity >= 300 + 300 / 8, "growing beyond it leaves headroom")
        #expect(matrix.storage[12..<300].allSatisfy { $0 == 0 })
    }

    @Test func sumsAndAccumulation() {
        let a = Matrix(rows: 2, columns: 2, storage: [1, 2, 3, 4])
        var sum = Matrix(rows: 0, columns: 0)
        sum.setSum(a, a)
        #expect(sum.storage == [2, 4, 6, 8])
        sum.add(a)
        #expect(sum.storage == [3, 6, 9, 12])
        sum.zero()
        #expect(sum.storage == [0, 0, 0, 0] && sum.rows == 2)
    }

    @Test func setCopyCopiesIntoItsOwnStorage() {
        let source = Matrix(rows: 2, columns: 2, storage: [1, 2, 3, 4])
        var copy = Matrix(rows: 8, columns: 2)
        let capacity = copy.storage.capacity
        copy.setCopy(of: source)
        #expect(copy == source && copy.storage.capacity == capacity, "a smaller copy reuses the buffer")
        source.storage.withUnsafeBufferPointer { a in
            copy.storage.withUnsafeBufferPointer { b in #expect(a.baseAddress != b.baseAddress) }
        }
        copy.setCopy(of: Matrix(rows: 0, columns: 2))
        #expect(copy.rows == 0 && copy.columns == 2 && copy.count == 0)
    }

    @Test func appendedRowsGoBelow() {
        var matrix = Matrix(rows: 0, columns: 2)
        matrix.append(rowsOf: Matrix(rows: 1, columns: 2, storage: [1, 2]))
        matrix.append(rowsOf: Matrix(rows: 2, columns: 2, storage: [3, 4, 5, 6]))
        #expect(matrix == Matrix(rows: 3, columns: 2, storage: [1, 2, 3, 4, 5, 6]))
    }
}
