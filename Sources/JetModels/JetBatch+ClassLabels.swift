import JetData

extension JetBatch {
    /// The jet field `field` as class indices, each an integer in 0..<classNames.count, through `labels`.
    ///
    /// - Parameter files: the stream's files (`JetStream.files`), to name the file of a bad label.
    /// - Throws: ``JetModelsError/invalidData(_:)`` naming the file, row, field and value of the first bad label.
    public func classLabels(field: String, labels: ClassLabelMap, files: [String]) throws -> [Int32] {
        let values = jetFields[field]!
        return try values.indices.map { jet in
            guard let index = labels.classIndex(of: values[jet], file: fileIndices[jet]) else {
                throw JetModelsError.invalidData(
                    "\(files[fileIndices[jet]]): jet row \(rows[jet]): label field '\(field)' is \(values[jet]), "
                        + "expected \(labels.expectation) (classes: \(labels.classNames.joined(separator: ", ")))")
            }
            return index
        }
    }
}
