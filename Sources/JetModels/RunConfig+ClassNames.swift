import JetData

extension RunConfig {
    /// This config with the class names of its data, as a run resolves them when it opens its files: without
    /// `data.classNames`, the first file's `label_names` attribute (glob patterns expanded) names the classes and
    /// sets the model's class count. A config that names its classes, or data without the attribute, is returned
    /// as it is (classes `class0`, `class1`, ...).
    ///
    /// - Throws: `JetDataError` naming the first file when it cannot be opened (or a pattern matches nothing);
    ///   ``JetModelsError/invalidData(_:)`` when the attribute names fewer than 2 classes.
    public func resolvingClassNames() throws -> RunConfig {
        guard data.classNames == nil, let first = try expandFilePatterns(data.files).first,
            let names = try HDF5File(readingAt: first).nameListAttribute("label_names")
        else { return self }
        guard names.count >= 2 else {
            throw JetModelsError.invalidData(
                "\(first): the attribute label_names names \(names.count) class (\(names.joined(separator: ", "))); "
                    + "a tagger needs 2 or more (or give data.classNames)")
        }
        var resolved = self
        resolved.data.classNames = names
        resolved.model.classes = names.count
        return resolved
    }
}
