import Foundation
import JetTestSupport
import Testing

/// `jettag inspect` run as a subprocess: reports on good files, fails with a clear message on bad ones.
@Suite struct InspectEndToEndTests {
    private func fixture(_ name: String) -> String { dataFixtures.appendingPathComponent(name).path }

    @Test func humanReadableReport() throws {
        let result = try runJetTag(arguments: ["inspect", fixture("compound.h5"), fixture("pandas_fixed.h5")])
        #expect(result.status == 0, "\(result.stderr)")
        for line in [
            "Layout: compound (jets: 'jets', constituents: 'constituents', valid field: 'valid')",
            "Jets: 70 (constituent slots per jet: 12)", "Labels: 0 (qcd): 46, 1 (top): 24",
            "Weights: sum 68.9161, min -0.215051, max 2.19884, negative 2.86%", "Constituents per jet: mean 6.27, max 12",
            "  /constituents  shape (70, 12)  compound  chunks (16, 12)  shuffle + deflate(4)",
            "Layout: pandas fixed frame (group 'table', label column 'is_signal_new')",
        ] {
            #expect(result.stdout.contains(line), "missing '\(line)' in:\n\(result.stdout)")
        }
    }

    @Test func jsonReport() throws {
        let result = try runJetTag(arguments: ["inspect", "--json", fixture("columns_mask.h5")])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(json.count == 1)
        #expect(json[0]["jets"] as? Int == 50)
        #expect((json[0]["layout"] as? [String: Any])?["kind"] as? String == "columns")
        #expect((json[0]["multiplicity"] as? [String: Any])?["max"] as? Int == 10)
    }

    @Test(arguments: [
        ("bad_missing_dataset.h5", "no dataset 'constituents'"),
        ("bad_missing_field.h5", "dataset 'constituents' has no field 'valid' (available: pt, eta)"),
        ("bad_shape_mismatch.h5", "dataset 'constituents' has shape [23, 12], expected [20, 12] to match 'jets'"),
        ("bad_rank.h5", "dataset 'constituents' has rank 1, expected rank 2"),
        ("bad_nonfinite.h5", "field 'weight' of dataset 'jets' is nan in row 7"),
        ("bad_valid_count.h5", "dataset 'constituents' row 5:"),
        ("bad_empty.h5", "dataset 'jets' holds zero jets"),
    ])
    func badFilesFailWithTheirDefect(name: String, message: String) throws {
        let path = fixture(name)
        let result = try runJetTag(arguments: ["inspect", path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(path): \(message)"), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("HDF5-DIAG"), "libhdf5's own error stack must stay silent")
    }

    /// Every file's metadata is read first by a child process with a time bound (`MetadataPreflight`): a child
    /// that does not finish makes the file a clean error; `JETTAG_METADATA_CHECK=off` skips the child.
    @Test func metadataIsCheckedInABoundedChildProcess() throws {
        let path = fixture("compound.h5")
        let bounded = try runJetTag(arguments: ["inspect", path], environment: ["JETTAG_METADATA_TIMEOUT": "0"])
        #expect(bounded.status == 1)
        #expect(
            bounded.stderr.contains("\(path): cannot open as HDF5 (libhdf5 did not finish within 0.0 s (JETTAG_METADATA_TIMEOUT)"),
            "\(bounded.stderr)")
        let unchecked = try runJetTag(
            arguments: ["inspect", path], environment: ["JETTAG_METADATA_TIMEOUT": "0", "JETTAG_METADATA_CHECK": "off"])
        #expect(unchecked.status == 0, "\(unchecked.stderr)")
        let invalid = try runJetTag(arguments: ["inspect", path], environment: ["JETTAG_METADATA_TIMEOUT": "soon"])
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("JETTAG_METADATA_TIMEOUT=soon is not a number of seconds >= 0"), "\(invalid.stderr)")
    }

    @Test func missingGarbageAndTruncatedFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data(repeating: 0x2A, count: 4096).write(to: directory.url.appendingPathComponent("garbage.h5"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture("compound.h5")))
        try bytes.prefix(bytes.count / 3).write(to: directory.url.appendingPathComponent("truncated.h5"))
        for (name, message) in [
            ("absent.h5", "no such file"), ("garbage.h5", "not an HDF5 file"), ("truncated.h5", "the file may be truncated"),
        ] {
            let result = try runJetTag(arguments: ["inspect", directory.path(name)])
            #expect(result.status != 0, "\(name)")
            #expect(result.stderr.contains("\(directory.path(name)): "), "\(name): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
            #expect(!result.stderr.contains("HDF5-DIAG"))
        }
        let pattern = directory.path("*.hdf5")
        let result = try runJetTag(arguments: ["inspect", pattern])
        #expect(result.status != 0)
        #expect(result.stderr.contains("no file matches '\(pattern)'"), "\(result.stderr)")
    }
}
