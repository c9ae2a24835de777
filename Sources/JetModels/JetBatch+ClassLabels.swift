import JetData

extension JetBatch {
    /// The jet field `field` as class indices, each an integer in 0..<classNames.count.
    ///
    /// - Parameter files: the stream's files (`JetStream.files`), to name the file of a bad label.
    /// - Throws: ``JetModelsError/invalidData(_:)`` naming the file, row, field and value of the first bad label.
    public func classLabels(field: String, classNames: [String], files: [String]) throws -> [Int32] {
        let values = jetFields[field]!
        return try values.indices.map { jet in
            let value = values[jet]
            guard value == value.rounded(), value >= 0, Int(value) < classNames.count else {
                throw JetModelsError.invalidData(
                    "\(files[fileIndices[jet]]): jet row \(rows[jet]): label field '\(field)' is \(value), expected an "
                        + "integer in 0..<\(classNames.count) (classes: \(classNames.joined(separator: ", ")))")
            }
            return Int32(value)
        }
    }
}
