import CHDF5
import Foundation
import JetCore

/// Writes an HDF5 file atomically: everything goes to a temporary file in the same directory, renamed
/// to `path` by `commit()`. A writer released without `commit()` deletes the temporary file, so an
/// interrupted write leaves nothing under the final name, and ``abandon()`` removes it at once (on SIGTERM). The
/// temporary files of dead processes beside `path` (a `kill -9`) are swept when a writer starts.
///
/// Float32 datasets and string attributes are stored the way h5py reads them (model files use this).
public final class HDF5FileWriter {
    /// The final path.
    public let path: String
    /// The temporary path written until `commit()`.
    public let temporaryPath: String
    let id: hid_t
    private var finished = false

    /// Creates the temporary file next to `path`, first removing those of dead processes.
    public init(path: String) throws {
        self.path = path
        TemporaryOutput.sweepStale(beside: path)
        temporaryPath = TemporaryOutput.path(for: path)
        let temporaryPath = temporaryPath
        let failure: String
        (id, failure) = HDF5Lock.run {
            jt_h5_silence_errors()
            let id = H5Fcreate(temporaryPath, jt_h5f_acc_trunc(), jt_h5p_default(), jt_h5p_default())
            return (id, id < 0 ? HDF5File.lastHDF5Error() : "")
        }
        guard id >= 0 else { throw JetDataError.writeFailed(file: path, reason: "cannot create \(temporaryPath)\(failure)") }
    }

    deinit { abandon() }

    /// Closes and removes the temporary file without writing `path` (an interrupted run); nothing after it.
    public func abandon() {
        guard !finished else { return }
        finished = true
        HDF5Lock.run { _ = H5Fclose(id) }
        unlink(temporaryPath)
    }

    /// Writes `values` (row-major, `shape`) as a float32 dataset at `name` ("group/sub/name"; groups are created).
    public func writeFloats(_ values: [Float], shape: [Int], to name: String) throws {
        try HDF5Lock.run { try createFloats(values, shape: shape, name: name) }
    }

    private func createFloats(_ values: [Float], shape: [Int], name: String) throws {
        guard shape.reduce(1, *) == values.count else {
            throw JetDataError.writeFailed(file: path, reason: "dataset '\(name)': \(values.count) values do not fill shape \(shape)")
        }
        let space = H5Screate_simple(Int32(shape.count), shape.map { hsize_t($0) }, nil)
        defer { H5Sclose(space) }
        let linkList = H5Pcreate(jt_h5p_link_create())
        defer { H5Pclose(linkList) }
        H5Pset_create_intermediate_group(linkList, 1)
        let dataset = H5Dcreate2(id, name, jt_native_float(), space, linkList, jt_h5p_default(), jt_h5p_default())
        guard dataset >= 0 else { throw JetDataError.writeFailed(file: path, reason: "cannot create dataset '\(name)'") }
        defer { H5Dclose(dataset) }
        guard values.withUnsafeBytes({ H5Dwrite(dataset, jt_native_float(), jt_h5s_all(), jt_h5s_all(), jt_h5p_default(), $0.baseAddress) }) >= 0
        else { throw JetDataError.writeFailed(file: path, reason: "cannot write dataset '\(name)'") }
    }

    /// Sets the string attribute `name` of `object` ("/" for the file; a group is created when missing).
    public func setAttribute(_ value: String, named name: String, on object: String = "/") throws {
        try HDF5Lock.run { try writeAttribute(value, named: name, on: object) }
    }

    private func writeAttribute(_ value: String, named name: String, on object: String) throws {
        if object != "/", H5Lexists(id, object, jt_h5p_default()) <= 0 {
            let linkList = H5Pcreate(jt_h5p_link_create())
            defer { H5Pclose(linkList) }
            H5Pset_create_intermediate_group(linkList, 1)
            let group = H5Gcreate2(id, object, linkList, jt_h5p_default(), jt_h5p_default())
            guard group >= 0 else { throw JetDataError.writeFailed(file: path, reason: "cannot create group '\(object)'") }
            H5Gclose(group)
        }
        let target = H5Oopen(id, object, jt_h5p_default())
        guard target >= 0 else { throw JetDataError.writeFailed(file: path, reason: "no object '\(object)'") }
        defer { H5Oclose(target) }
        guard HDF5Strings.write(value, named: name, on: target) else {
            throw JetDataError.writeFailed(file: path, reason: "cannot write attribute '\(name)' of '\(object)'")
        }
    }

    /// Closes the file and renames it to `path`, replacing any file there.
    public func commit() throws {
        guard !finished else { return }
        finished = true
        guard HDF5Lock.run({ H5Fclose(id) }) >= 0 else {
            try? FileManager.default.removeItem(atPath: temporaryPath)
            throw JetDataError.writeFailed(
                file: path, reason: "cannot finish writing \(temporaryPath) (is the disk full?); it was removed")
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = FileSystemError.reason(errno: errno)
            try? FileManager.default.removeItem(atPath: temporaryPath)
            throw JetDataError.writeFailed(file: path, reason: "cannot rename \(temporaryPath) to it: \(reason)")
        }
    }
}

extension HDF5FileWriter {
    /// Tells libhdf5 not to close the files still open when the process exits. A file whose close failed (a full
    /// disk) stays registered half-closed, and libhdf5's own cleanup at `exit()` then crashes on it (SIGSEGV after
    /// JetTag's error message); the writers close or remove every file they create themselves. Call it before
    /// any other HDF5 call (the CLI does, first thing).
    public static func skipLibraryCleanupAtExit() {
        _ = H5dont_atexit()
    }
}
