import Foundation

/// What `jettag inspect tagger.onnx` shows: the producer, opset, inputs and outputs with their types and shapes,
/// the size of the graph and the metadata entries.
public struct ONNXInspection: Encodable, Sendable {
    public struct Tensor: Encodable, Sendable, Equatable {
        public var name: String
        public var type: String
        /// Sizes, or the names of dynamic axes.
        public var shape: [String]
    }

    public var path: String
    public var irVersion: Int64
    /// "domain:version" per imported operator set ("ai.onnx" for the default domain).
    public var opsets: [String]
    public var producer: String
    public var inputs: [Tensor]
    public var outputs: [Tensor]
    public var nodes: Int
    /// Float32 scalars held by the initializers.
    public var parameters: Int
    /// The metadata entries in file order.
    public var metadata: [String: String]
    private var metadataOrder: [String]

    /// Reads the ONNX file at `path`.
    ///
    /// - Throws: ``JetExportError/notONNX(file:reason:)`` for bytes that are not a ModelProto; a
    ///   `FileSystemError`-style Foundation error for a file that cannot be read.
    public static func inspect(path: String) throws -> ONNXInspection {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw JetExportError.notONNX(file: path, reason: "it cannot be read (\((error as NSError).localizedDescription))")
        }
        let model: ONNXModel
        do {
            model = try ONNXModel(serialized: [UInt8](data))
        } catch {
            throw JetExportError.notONNX(file: path, reason: error.description)
        }
        return ONNXInspection(model: model, path: path)
    }

    /// The inspection of a model in memory (`path` is the file it is, or will be, written to).
    public init(model: ONNXModel, path: String) {
        self.path = path
        irVersion = model.irVersion
        opsets = model.opsetImports.map { "\($0.domain.isEmpty ? "ai.onnx" : $0.domain):\($0.version)" }
        producer = [model.producerName, model.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
        func tensor(_ info: ONNXValueInfo) -> Tensor {
            Tensor(name: info.name, type: info.elementType.description, shape: info.shape.map(\.description))
        }
        inputs = model.graph.inputs.map(tensor)
        outputs = model.graph.outputs.map(tensor)
        nodes = model.graph.nodes.count
        parameters = model.graph.initializers.filter { $0.dataType == .float }.reduce(0) { $0 + $1.count }
        metadata = Dictionary(model.metadata.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        metadataOrder = model.metadata.map(\.key)
    }

    private enum CodingKeys: String, CodingKey {
        case path, irVersion = "ir_version", opsets, producer, inputs, outputs, nodes, parameters, metadata
    }

    /// The plain-text report: one line per input and output, then each metadata entry (multi-line values
    /// indented).
    public var report: String {
        func line(_ tensor: Tensor) -> String {
            "  \(tensor.name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(tensor.type) [\(tensor.shape.joined(separator: ", "))]"
        }
        var lines = [
            "\(path): ONNX IR version \(irVersion), opset \(opsets.joined(separator: ", ")), producer \(producer.isEmpty ? "unknown" : producer)",
            "  \(nodes) nodes, \(parameters) float32 parameters",
            "inputs:",
        ]
        lines += inputs.map(line)
        lines.append("outputs:")
        lines += outputs.map(line)
        lines.append("metadata:")
        for key in metadataOrder {
            let value = metadata[key] ?? ""
            if value.contains("\n") {
                lines.append("  \(key):")
                lines += value.split(separator: "\n", omittingEmptySubsequences: false).map { "    \($0)" }
            } else {
                lines.append("  \(key): \(value)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
