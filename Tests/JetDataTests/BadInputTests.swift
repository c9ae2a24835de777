import Foundation
import JetData
import JetTestSupport
import Testing

/// Every kind of bad input gives a `JetDataError` naming file, dataset, field and row where they apply.
@Suite struct BadInputTests {
    private let options = JetReadOptions(jetFields: ["pt", "weight"], constituentFields: ["pt"])

    private func readAll(_ path: String, _ options: JetReadOptions? = nil) throws {
        _ = try JetStream(file: path, options: options ?? self.options).readAll()
    }

    @Test func missingFileNotHDF5AndTruncated() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(throws: JetDataError.fileNotFound(file: directory.path("absent.h5"))) { try readAll(directory.path("absent.h5")) }

        try Data("jet,pt\n1,500\n".utf8).write(to: directory.url.appendingPathComponent("garbage.h5"))
        #expect(throws: JetDataError.notHDF5(file: directory.path("garbage.h5"))) { try readAll(directory.path("garbage.h5")) }

        let truncated = directory.path("truncated.h5")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture("compound.h5")))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        let error = try #require(throws: JetDataError.self) { try readAll(truncated) }
        #expect("\(error)".hasPrefix("\(truncated): "), "\(error)")
        #expect("\(error)".contains("truncated"), "\(error)")
    }

    /// libhdf5 locks the files it opens; a file another writer holds gives its reason, not a bare "H5Fopen failed".
    @Test func fileLockedByAWriterSaysSo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let locked = directory.path("locked.h5")
        try FileManager.default.copyItem(atPath: fixture("compound.h5"), toPath: locked)
        let descriptor = open(locked, O_RDWR)
        defer { close(descriptor) }
        try #require(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let error = try #require(throws: JetDataError.self) { try readAll(locked) }
        #expect("\(error)".hasPrefix("\(locked): cannot open as HDF5 (H5Fopen failed: "), "\(error)")
        #expect("\(error)".contains("lock"), "\(error)")
        flock(descriptor, LOCK_UN)
        try readAll(locked)
    }

    @Test func globMatchingNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pattern = directory.path("*.h5")
        #expect(throws: JetDataError.noFilesMatch(pattern: pattern)) { try readAll(pattern) }
    }

    @Test func missingDatasetAndField() throws {
        let missingDataset = fixture("bad_missing_dataset.h5")
        #expect(throws: JetDataError.missingDataset(file: missingDataset, dataset: "constituents")) { try readAll(missingDataset) }

        let missingValid = fixture("bad_missing_field.h5")
        #expect(throws: JetDataError.missingField(file: missingValid, dataset: "constituents", field: "valid", available: ["pt", "eta"])) {
            try readAll(missingValid)
        }
        let good = fixture("compound.h5")
        var options = options
        options.jetFields = ["pt", "ptt"]
        let error = try #require(throws: JetDataError.self) { try readAll(good, options) }
        #expect("\(error)".hasPrefix("\(good): dataset 'jets' has no field 'ptt' (available: pt, eta, phi, mass, energy, n_constituents"))
        options = self.options
        options.constituentFields = ["d0"]
        #expect(throws: JetDataError.self) { try readAll(good, options) }
    }

    @Test func shapeAndRank() throws {
        let mismatch = fixture("bad_shape_mismatch.h5")
        #expect(throws: JetDataError.shapeMismatch(file: mismatch, dataset: "constituents", expected: [20, 12], got: [23, 12], reference: "jets")) {
            try readAll(mismatch)
        }
        let rank = fixture("bad_rank.h5")
        #expect(throws: JetDataError.wrongRank(file: rank, dataset: "constituents", expected: 2, got: 1)) { try readAll(rank) }
    }

    @Test func nonFiniteValuesInUsedFields() throws {
        let path = fixture("bad_nonfinite.h5")
        let jetError = try #require(throws: JetDataError.self) { try readAll(path) }
        guard case .nonFinite(path, "jets", "weight", 7, let value) = jetError, value.isNaN else {
            Issue.record("expected NaN in jets.weight row 7, got \(jetError)")
            return
        }
        #expect("\(jetError)" == "\(path): field 'weight' of dataset 'jets' is nan in row 7")
        var options = options
        options.jetFields = ["pt"]
        #expect(throws: JetDataError.nonFinite(file: path, dataset: "constituents", field: "pt", row: 11, value: .infinity)) {
            try readAll(path, options)
        }
        options.constituentFields = ["eta"]
        try readAll(path, options)  // the damaged fields are not used: no error
        options.jetFields = ["weight"]
        options.checkFinite = false
        try readAll(path, options)
    }

    @Test func validInconsistentWithCount() throws {
        let path = fixture("bad_valid_count.h5")
        let error = try #require(throws: JetDataError.self) { try readAll(path) }
        guard case .inconsistentMultiplicity(path, "constituents", 5, "n_constituents", let count, let valid) = error else {
            Issue.record("expected an inconsistency in row 5, got \(error)")
            return
        }
        #expect(count == valid + 1)
    }

    @Test func zeroJets() throws {
        let path = fixture("bad_empty.h5")
        #expect(throws: JetDataError.emptyFile(file: path, dataset: "jets")) { try readAll(path) }
    }

    @Test func undetectableLayout() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try HDF5FileWriter(path: directory.path("other.h5"))
        try writer.writeFloats([1, 2], shape: [2], to: "histogram")
        try writer.commit()
        #expect(throws: JetDataError.undetectableLayout(file: directory.path("other.h5"), datasets: ["/histogram"])) {
            try readAll(directory.path("other.h5"))
        }
    }
}
