import Foundation
@testable import JetData
import JetTestSupport
import Testing

@Suite struct JetStreamTests {
    private let compoundFields = JetReadOptions(jetFields: ["pt", "label"], constituentFields: ["pt", "eta"], threads: 2)

    @Test func batchesHaveTheRequestedSizeAndCoverEveryRowOnce() throws {
        var options = compoundFields
        options.batchSize = 16
        let stream = try JetStream(file: fixture("compound.h5"), options: options)
        var sizes: [Int] = [], rows: [Int] = []
        while let batch = try stream.next() {
            sizes.append(batch.count)
            rows += batch.rows
            #expect(batch.jetFields.keys.sorted() == ["label", "pt"])
            #expect(batch.constituentFields.keys.sorted() == ["eta", "pt"])
            #expect(batch.constituentFields["pt"]!.count == batch.count * 12)
        }
        #expect(sizes == [16, 16, 16, 16, 6])
        #expect(rows == Array(0..<70))
        stream.rewind()
        #expect(try stream.next()?.rows == Array(0..<16))
    }

    @Test func severalFilesAndGlobsReadAsOneStream() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for name in ["a.h5", "b.h5"] {
            try FileManager.default.copyItem(atPath: fixture("compound.h5"), toPath: directory.path(name))
        }
        let single = try JetStream(file: fixture("compound.h5"), options: compoundFields).readAll()
        for files in [[directory.path("a.h5"), directory.path("b.h5")], [directory.path("*.h5")]] {
            var options = compoundFields
            options.batchSize = 30
            let stream = try JetStream(files: files, options: options)
            #expect(stream.files == [directory.path("a.h5"), directory.path("b.h5")])
            #expect(stream.totalJets == 140)
            let all = try stream.readAll()
            #expect(all.count == 140)
            #expect(all.fileIndices == [Int](repeating: 0, count: 70) + [Int](repeating: 1, count: 70))
            #expect(all.rows == Array(0..<70) + Array(0..<70))
            #expect(all.jetFields["pt"]! == single.jetFields["pt"]! + single.jetFields["pt"]!)
            #expect(all.constituentFields["eta"]! == single.constituentFields["eta"]! + single.constituentFields["eta"]!)
        }
    }

    @Test func maxConstituentsTruncatesAndPads() throws {
        let full = try JetStream(file: fixture("compound.h5"), options: compoundFields).readAll()
        for slots in [5, 20] {
            var options = compoundFields
            options.maxConstituents = slots
            let batch = try JetStream(file: fixture("compound.h5"), options: options).readAll()
            #expect(batch.maxConstituents == slots)
            for jet in 0..<batch.count {
                let kept = min(Int(full.multiplicities[jet]), slots)
                #expect(Int(batch.multiplicities[jet]) == kept)
                let expected = (0..<slots).map { $0 < kept ? full.constituentFields["pt"]![jet * 12 + $0] : 0 }
                #expect(Array(batch.constituentFields["pt"]![(jet * slots)..<((jet + 1) * slots)]) == expected)
                #expect(Array(batch.mask[(jet * slots)..<((jet + 1) * slots)]) == (0..<slots).map { $0 < kept ? 1 : 0 })
            }
        }
    }

    @Test func truncationKeepsTheFirstRealConstituentsWhenValidHasGaps() throws {
        let expected = try #require(Expected.all["tracks_gaps.h5"])
        let options = JetReadOptions(layout: tracksWithoutEventNumbers, constituentFields: ["d0"], maxConstituents: 3)
        let batch = try JetStream(file: fixture("tracks_gaps.h5"), options: options).readAll()
        let compacted = expected.constituentFields["d0"]!  // [rows, 8], real values first
        for row in expected.rows {
            let kept = min(Int(expected.multiplicities[row]), 3)
            #expect(batch.multiplicities[row] == Int32(kept))
            #expect(Array(batch.constituentFields["d0"]![(row * 3)..<(row * 3 + 3)])
                == (0..<3).map { $0 < kept ? compacted[row * 8 + $0] : 0 })
        }
    }

    @Test func selectionKeepsExactlyTheJetsPassingIt() throws {
        let full = try JetStream(file: fixture("compound.h5"), options: compoundFields).readAll()
        var options = compoundFields
        options.selection = try JetSelection("pt > 550 && pt < 650 && abs(eta) < 1.5")
        options.batchSize = 8
        let selected = try JetStream(file: fixture("compound.h5"), options: options).readAll()
        let eta = try JetStream(file: fixture("compound.h5"), options: JetReadOptions(jetFields: ["eta"])).readAll().jetFields["eta"]!
        let expected = (0..<full.count).filter { full.jetFields["pt"]![$0] > 550 && full.jetFields["pt"]![$0] < 650 && abs(eta[$0]) < 1.5 }
        #expect(!expected.isEmpty && expected.count < full.count)
        #expect(selected.rows == expected)
        #expect(selected.jetFields.keys.sorted() == ["label", "pt"], "fields read only for the selection are dropped")
    }

    @Test func splitsByEventNumberAndBySeededFraction() throws {
        let full = try JetStream(file: fixture("compound.h5"), options: compoundFields).readAll()
        var options = compoundFields
        options.split = .eventNumber(modulus: 3, folds: [1])
        let fold = try JetStream(file: fixture("compound.h5"), options: options).readAll()
        #expect(fold.rows == (0..<full.count).filter { full.eventNumbers[$0] % 3 == 1 })

        var parts: [[Int]] = []
        for range in [(0.0, 0.6), (0.6, 0.8), (0.8, 1.0)] {
            options.split = .fraction(seed: 42, lower: range.0, upper: range.1)
            parts.append(try JetStream(file: fixture("compound.h5"), options: options).readAll().rows)
        }
        #expect(parts.flatMap { $0 }.sorted() == Array(0..<70), "the three parts partition the rows")
        #expect(parts[0].count > 25 && parts[0].count < 55)
        options.split = .fraction(seed: 42, lower: 0, upper: 0.6)
        #expect(try JetStream(file: fixture("compound.h5"), options: options).readAll().rows == parts[0], "same seed, same split")
        options.split = .fraction(seed: 7, lower: 0, upper: 0.6)
        #expect(try JetStream(file: fixture("compound.h5"), options: options).readAll().rows != parts[0])
    }

    @Test func fastChunkPathMatchesLibraryReadOnFixture() throws {
        try expectFastPathMatchesLibrary(fixture("compound.h5"), ranges: [0..<70, 5..<37, 60..<70, 16..<32])
    }

    @Test(.enabled(if: developmentSampleExists, "needs ../shared/data/top_qcd_dev.h5"))
    func fastChunkPathMatchesLibraryReadOnDevelopmentSample() throws {
        try expectFastPathMatchesLibrary(developmentSample, ranges: [0..<2500, 999..<1001, 28_700..<30_000])
    }

    @Test(.enabled(if: developmentSampleExists, "needs ../shared/data/top_qcd_dev.h5"))
    func developmentSampleCountsAgreeWithValid() throws {
        let options = JetReadOptions(jetFields: ["n_constituents", "label"], batchSize: 10_000)
        let stream = try JetStream(file: developmentSample, options: options)
        var jets = 0, signal = 0
        while let batch = try stream.next() {
            jets += batch.count
            signal += batch.jetFields["label"]!.filter { $0 == 1 }.count
            #expect(batch.multiplicities.map(Float.init) == batch.jetFields["n_constituents"]!)
        }
        #expect(jets == 30_000 && signal == 15_000)
    }

    /// Raw rows through the multithreaded chunk decoder equal `H5Dread`'s bytes exactly.
    private func expectFastPathMatchesLibrary(_ path: String, ranges: [Range<Int>]) throws {
        let file = try HDF5File(readingAt: path)
        for name in ["jets", "constituents"] {
            let dataset = try file.dataset(name)
            #expect(ChunkDecoder(dataset: dataset) != nil, "\(name) should take the fast path")
            dataset.threads = 2
            for rows in ranges {
                var fast = [UInt8](repeating: 0, count: rows.count * dataset.rowSize)
                var library = fast
                try fast.withUnsafeMutableBytes { try dataset.readRaw(rows: rows, into: $0.baseAddress!) }
                try library.withUnsafeMutableBytes { try dataset.readThroughLibrary(rows: rows, into: $0.baseAddress!) }
                #expect(fast == library, "\(name) rows \(rows)")
            }
        }
    }
}
