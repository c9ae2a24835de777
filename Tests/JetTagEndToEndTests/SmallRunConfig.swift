import JetTestSupport

/// Writes a run config for `file` to `path`: a small Deep Sets on deta/dphi/logptrel, 2 epochs; `extra` is appended
/// (more top-level YAML).
func writeSmallRunConfig(to path: String, file: String, extra: String = "") throws {
    let text = """
        data:
          files: [\(file)]
          split: {validationFraction: 0.25, seed: 3}
        features:
          maxConstituents: \(SyntheticJetFile.slots)
          constituentVariables: [deta, dphi, logptrel]
        model:
          kind: deepsets
          deepsets: {constituentLayers: [16, 16], headLayers: [16]}
        training:
          batchSize: 32
          epochs: 2
          learningRate: 0.01
        \(extra)
        """
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}
