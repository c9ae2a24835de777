/// Why a model file cannot be exported or an ONNX file cannot be read; each names the file.
public enum JetExportError: Error, Equatable, CustomStringConvertible {
    /// A training checkpoint (`last.h5`, with resume state) rather than a finished model.
    case checkpoint(file: String)
    /// A model kind this exporter has no ONNX graph for (e.g. from a newer JetTag).
    case unsupportedModelKind(file: String, kind: String, supported: [String])
    /// A model file whose tensors do not match its architecture.
    case invalidModel(file: String, reason: String)
    /// An output path whose directory does not exist.
    case missingOutputDirectory(path: String, directory: String)
    /// A file that is not an ONNX model (not a well-formed ModelProto).
    case notONNX(file: String, reason: String)

    public var description: String {
        switch self {
        case .checkpoint(let file):
            "\(file) is a training checkpoint (it holds resume state); export the finished model, model.h5 in the same run directory"
        case .unsupportedModelKind(let file, let kind, let supported):
            "\(file): model kind '\(kind)' has no ONNX export in this JetTag (it exports \(supported.joined(separator: ", ")))"
        case .invalidModel(let file, let reason):
            "\(file): cannot be exported: \(reason)"
        case .missingOutputDirectory(let path, let directory):
            "cannot write \(path): the directory \(directory) does not exist"
        case .notONNX(let file, let reason):
            "\(file) is not an ONNX model: \(reason)"
        }
    }
}
