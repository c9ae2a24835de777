import Foundation
import JetData
import JetTestSupport
import Testing

/// Damaged HDF5 metadata of the shipped sample: every case the mutation campaign (Scripts/fuzz.sh) found
/// crashing, hanging or giving silently different values, replayed from its patch recipe.
@Suite struct MetadataMutationTests {
    private static let checker = Result { try MutationChecker() }

    private func recorded() throws -> [MetadataMutation] {
        try JSONDecoder().decode([MetadataMutation].self, from: Data(contentsOf: URL(fileURLWithPath: fixture("metadata_mutations.json"))))
    }

    @Test func everyRecordedMutationGivesACleanErrorOrTheOriginalValues() throws {
        let checker = try Self.checker.get()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cases = try recorded()
        #expect(cases.count >= 15)
        for (index, mutation) in cases.enumerated() {
            let outcome = try checker.check(mutation, at: directory.path("case\(index).h5"))
            #expect(outcome.isAcceptable, "case \(index) (seed \(mutation.seed.map(String.init) ?? "none"), \(mutation.note ?? "")): \(outcome)")
        }
    }

    @Test func memberOffsetOutsideTheCompoundIsAnErrorNamingTheField() throws {
        let checker = try Self.checker.get()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let mutation = try #require(try recorded().first { $0.seed == 1082 })
        let path = directory.path("member.h5")
        #expect(try checker.check(mutation, at: path) == .cleanError(
            "\(path): the HDF5 description of field 'charge' of dataset 'constituents' is damaged (member at bytes "
                + "16776976..<16776977 extends outside the 22-byte compound); the file cannot be trusted, copy or write it again"))
    }

    @Test func renamedEventNumberIsAnErrorNamingTheField() throws {
        let checker = try Self.checker.get()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let mutation = try #require(try recorded().first { $0.note?.contains("event_numbez") == true })
        let path = directory.path("renamed.h5")
        let outcome = try checker.check(mutation, at: path)
        #expect(outcome == .cleanError("\(path): dataset 'jets' has no field 'event_number' (available: "
            + "pt, eta, phi, mass, energy, n_constituents, label, weight, event_numbez)"))
    }

    @Test func theCheckerSeesAChangedValueAndMutationsStayInTheMetadata() throws {
        let checker = try Self.checker.get()
        var changed = checker.reference
        changed.values["jets.pt"]![3] ^= 1
        #expect(changed.outcome(against: checker.reference) == .different("jets.pt[3] is \(changed.values["jets.pt"]![3]) instead of "
            + "\(checker.reference.values["jets.pt"]![3]) (bit patterns)"))
        #expect(checker.reference.outcome(against: checker.reference) == .identical)
        // the sample's metadata: superblock, headers, B-trees and heaps, far smaller than its values
        #expect(checker.metadata.reduce(0) { $0 + $1.count } < 30_000)
        for seed in UInt64(0)..<50 {
            let mutation = MetadataMutation.random(seed: seed, metadata: checker.metadata, original: checker.original)
            #expect(mutation == MetadataMutation.random(seed: seed, metadata: checker.metadata, original: checker.original))
            let bytes = mutation.patches.reduce(0) { $0 + $1.bytes.count / 2 }
            #expect((1...20).contains(bytes))
            for patch in mutation.patches {
                let end = patch.offset + patch.bytes.count / 2
                #expect(checker.metadata.contains { $0.lowerBound <= patch.offset && end <= $0.upperBound })
            }
        }
    }
}
