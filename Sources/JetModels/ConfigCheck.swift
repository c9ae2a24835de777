/// Range checks of a model's config section (`model.deepsets`, `model.cnn1d`, `model.mlp`): each failure is a
/// ``JetModelsError/invalidValue(path:file:expected:)`` at the key's full path.
struct ConfigCheck {
    /// The section's dotted path.
    let section: String
    /// The config file, nil for a config built in Swift.
    let file: String?

    init(_ kind: ModelArchitecture.Kind, file: String?) {
        section = "model.\(kind.rawValue)"
        self.file = file
    }

    /// The error for `key` holding `value`.
    func invalid(_ key: String, _ value: Any, expected: String) -> JetModelsError {
        .invalidValue(path: "\(section).\(key)", file: file, expected: "is \(value), expected \(expected)")
    }

    func positive(_ value: Int, _ key: String) throws(JetModelsError) {
        guard value > 0 else { throw invalid(key, value, expected: "a positive integer") }
    }

    func layerSizes(_ sizes: [Int], _ key: String, allowEmpty: Bool) throws(JetModelsError) {
        guard (allowEmpty || !sizes.isEmpty) && sizes.allSatisfy({ $0 > 0 }) else {
            throw invalid(
                key, sizes, expected: allowEmpty ? "a list of positive sizes" : "a non-empty list of positive sizes")
        }
    }

    func dropout(_ rate: Float) throws(JetModelsError) {
        guard rate >= 0 && rate < 1 else { throw invalid("dropout", rate, expected: "a rate in [0, 1)") }
    }

    func classes(_ count: Int) throws(JetModelsError) {
        guard count >= 2 else { throw invalid("classes", count, expected: "2 or more") }
    }
}
