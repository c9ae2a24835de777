import CHDF5
import Foundation

/// An HDF5 file opened read-only, with the look-ups every reader needs.
///
/// HDF5's own error printing is switched off; failures become `JetDataError`s naming the file.
public final class HDF5File {
    /// The path the file was opened with.
    public let path: String
    let id: hid_t

    /// Opens `path` read-only.
    ///
    /// - Throws: `JetDataError.fileNotFound`, `.notHDF5`, or `.unreadableFile` (for example a truncated file).
    public init(readingAt path: String) throws {
        (self.path, id) = try HDF5Lock.run { try Self.open(path) }
    }

    private static func open(_ path: String) throws -> (String, hid_t) {
        jt_h5_silence_errors()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw JetDataError.fileNotFound(file: path)
        }
        guard H5Fis_hdf5(path) > 0 else { throw JetDataError.notHDF5(file: path) }
        try MetadataPreflight.check(path)
        let id = H5Fopen(path, jt_h5f_acc_rdonly(), jt_h5p_default())
        guard id >= 0 else { throw JetDataError.unreadableFile(file: path, reason: "H5Fopen failed\(lastHDF5Error())") }
        return (path, id)
    }

    /// ": " and what libhdf5 said where the last call failed (e.g. "unable to lock the file"), or "".
    static func lastHDF5Error() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        jt_h5_last_error(&buffer)
        let message = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return message.isEmpty ? "" : ": \(message)"
    }

    deinit { HDF5Lock.run { _ = H5Fclose(id) } }

    /// Whether an object (group or dataset) exists at `name`, a slash-separated path from the root.
    public func contains(_ name: String) -> Bool {
        HDF5Lock.run { linkExists(name) }
    }

    private func linkExists(_ name: String) -> Bool {
        var prefix = ""
        for component in name.split(separator: "/") {
            prefix += "/" + component
            guard H5Lexists(id, prefix, jt_h5p_default()) > 0 else { return false }
        }
        return H5Oexists_by_name(id, name, jt_h5p_default()) > 0
    }

    /// Opens the dataset at `name`.
    ///
    /// - Throws: `JetDataError.missingDataset` when there is none.
    public func dataset(_ name: String) throws -> HDF5Dataset {
        try HDF5Lock.run { try openDataset(name) }
    }

    func openDataset(_ name: String) throws -> HDF5Dataset {
        guard contains(name) else { throw JetDataError.missingDataset(file: path, dataset: name) }
        let datasetID = H5Dopen2(id, name, jt_h5p_default())
        guard datasetID >= 0 else { throw JetDataError.missingDataset(file: path, dataset: name) }
        do {
            return try HDF5Dataset(file: path, name: name, id: datasetID)
        } catch {
            H5Dclose(datasetID)
            throw error
        }
    }

    /// The full paths of all datasets in the file, found recursively, sorted.
    public func datasetNames() -> [String] {
        HDF5Lock.run { visitObjects().filter(\.isDataset).map(\.name) }
    }

    /// The full paths of all objects (groups and datasets) below the root, found recursively, sorted.
    func visitObjects() -> [(name: String, isDataset: Bool)] {
        final class Collector { var objects: [(name: String, isDataset: Bool)] = [] }
        let collector = Collector()
        let fileID = id
        _ = withExtendedLifetime(collector) {
            H5Lvisit(fileID, H5_INDEX_NAME, H5_ITER_INC, { group, name, _, context in
                guard let name, let context else { return 0 }
                let object = H5Oopen(group, name, jt_h5p_default())
                guard object >= 0 else { return 0 }
                defer { H5Oclose(object) }
                Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue().objects.append(
                    ("/" + String(cString: name), H5Iget_type(object) == H5I_DATASET))
                return 0
            }, Unmanaged.passUnretained(collector).toOpaque())
        }
        return collector.objects.sorted { $0.name < $1.name }
    }

    /// The strings of the attribute `attribute` on `object` ("/" for the file), or nil when absent or not strings.
    ///
    /// A scalar string gives one element; an array of strings (fixed or variable length) gives all of them.
    ///
    /// - Throws: `JetDataError.unreadableAttribute` when the attribute exists but cannot be read (never
    ///   "absent" for a damaged one).
    public func stringAttribute(_ attribute: String, of object: String = "/") throws -> [String]? {
        try HDF5Lock.run { try readStringAttribute(attribute, of: object) }
    }

    /// A list of names stored as the attribute `attribute` on `object`: one comma-separated string (h5py's
    /// `f.attrs["label_names"] = "qcd,top"`, spaces around names dropped) or an array of strings; nil when absent.
    public func nameListAttribute(_ attribute: String, of object: String = "/") throws -> [String]? {
        try stringAttribute(attribute, of: object).map { strings in
            strings.count == 1 ? strings[0].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : strings
        }
    }

    private func readStringAttribute(_ attribute: String, of object: String) throws -> [String]? {
        func unreadable(_ reason: String) -> JetDataError {
            .unreadableAttribute(file: path, object: object, attribute: attribute, reason: reason)
        }
        guard object == "/" || contains(object) else { return nil }
        let exists = H5Aexists_by_name(id, object, attribute, jt_h5p_default())
        guard exists >= 0 else { throw unreadable("libhdf5 cannot list the attributes") }
        guard exists > 0 else { return nil }
        let attributeID = H5Aopen_by_name(id, object, attribute, jt_h5p_default(), jt_h5p_default())
        guard attributeID >= 0 else { throw unreadable("libhdf5 cannot open it") }
        defer { H5Aclose(attributeID) }
        do {
            return try HDF5Strings.read(attribute: attributeID)
        } catch {
            throw unreadable("\(error)")
        }
    }

    /// The names of all attributes of `object` ("/" for the file), in creation order.
    public func attributeNames(of object: String = "/") -> [String] {
        HDF5Lock.run { readAttributeNames(of: object) }
    }

    private func readAttributeNames(of object: String) -> [String] {
        var info = H5O_info_t()
        guard H5Oget_info_by_name1(id, object, &info, jt_h5p_default()) >= 0 else { return [] }
        return (0..<Int(info.num_attrs)).compactMap { index in
            let size = H5Aget_name_by_idx(id, object, H5_INDEX_NAME, H5_ITER_INC, hsize_t(index), nil, 0, jt_h5p_default())
            guard size >= 0 else { return nil }
            var buffer = [CChar](repeating: 0, count: Int(size) + 1)
            H5Aget_name_by_idx(id, object, H5_INDEX_NAME, H5_ITER_INC, hsize_t(index), &buffer, buffer.count, jt_h5p_default())
            return HDF5Strings.string(buffer)
        }
    }
}

extension HDF5File {
    /// Reads a whole numeric dataset (any numeric type) as Float32, row-major, with its shape.
    public func readFloats(_ name: String) throws -> (shape: [Int], values: [Float]) {
        try HDF5Lock.run {
            let dataset = try self.dataset(name)
            guard dataset.rowCount > 0 else { return (dataset.shape, []) }
            let values = try dataset.readFields(rows: 0..<dataset.rowCount, [try dataset.extraction(nil)]).floats[0]
            return (dataset.shape, values)
        }
    }
}

extension HDF5File {
    /// The byte ranges of the file that hold dataset values (allocated chunks, contiguous storage), sorted;
    /// every other byte is HDF5 metadata (superblock, object headers, B-trees, heaps). For fuzzing the metadata.
    public func rawDataRegions() throws -> [Range<Int>] {
        try HDF5Lock.run {
            var regions: [Range<Int>] = []
            for name in visitObjects().filter(\.isDataset).map(\.name) {
                let dataset = try openDataset(name)
                regions += dataset.rawDataRegions()
            }
            return regions.sorted { $0.lowerBound < $1.lowerBound }
        }
    }
}
