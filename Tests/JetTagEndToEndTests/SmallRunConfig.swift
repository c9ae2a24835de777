import JetTestSupport

/// The `model` section of ``writeSmallRunConfig(to:file:extra:model:)``'s default: a small Deep Sets.
let smallDeepSets = """
    model:
      kind: deepsets
      deepsets: {constituentLayers: [16, 16], headLayers: [16]}
    """

/// Writes a run config for `file` to `path`: `model` (default a small Deep Sets) on deta/dphi/logptrel, 2 epochs;
/// `extra` is appended (more top-level YAML).
func writeSmallRunConfig(to path: String, file: String, extra: String = "", model: String = smallDeepSets) throws {
    let text = """
        data:
          files: [\(file)]
          split: {validationFraction: 0.25, seed: 3}
        features:
          maxConstituents: \(SyntheticJetFile.slots)
          constituentVariables: [deta, dphi, logptrel]
        \(model)
        training:
          batchSize: 32
          epochs: 2
          learningRate: 0.01
        \(extra)
        """
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}
