import JetData

extension RunConfig {
    /// This config with the class names of its data, as a run resolves them when it opens its files: without
    /// `data.classNames`, the first file's `label_names` attribute (glob patterns expanded) names the classes and
    /// sets the model's class count (a count written in the config must agree); then the labels of every file are
    /// checked against the class names (``ClassLabelMap``). Data without the attribute keeps the config's classes
    /// (`class0`, `class1`, ...).
    ///
    /// - Throws: `JetDataError` naming the first file when it cannot be opened (or a pattern matches nothing);
    ///   ``JetModelsError/invalidData(_:)`` when the attribute names fewer than 2 classes or another number than
    ///   the config's `model.<kind>.classes`; the errors of ``ClassLabelMap/init(classNames:labelMap:files:)``.
    public func resolvingClassNames() throws -> RunConfig {
        let files = try expandFilePatterns(data.files)
        var resolved = self
        if data.classNames == nil, let first = files.first,
            let names = try HDF5File(readingAt: first).nameListAttribute("label_names")
        {
            guard names.count >= 2 else {
                throw JetModelsError.invalidData(
                    "\(first): the attribute label_names names \(names.count) class (\(names.joined(separator: ", "))); "
                        + "a tagger needs 2 or more (or give data.classNames)")
            }
            guard !classCountGiven || names.count == model.classes else {
                throw JetModelsError.invalidData(
                    "\(first): the attribute label_names names \(names.count) classes (\(names.joined(separator: ", "))), "
                        + "but model.\(model.kind.rawValue).classes is \(model.classes); leave it out, or give "
                        + "data.classNames and data.labelMap")
            }
            resolved.data.classNames = names
            resolved.model.classes = names.count
            resolved.classCountGiven = true
        }
        _ = try ClassLabelMap(classNames: resolved.classNames, labelMap: data.labelMap, files: files)
        return resolved
    }
}
