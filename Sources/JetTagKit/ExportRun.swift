import Foundation
import JetData
import JetExport
import JetMetrics
import JetModels

/// `jettag export --model RUN/model.h5 --onnx tagger.onnx`: the model file as one ONNX graph (JetExport's
/// ``ONNXExport``) and weaver's `preprocess.json` beside it. Everything is checked and built in memory first; each
/// file is then written under a temporary name and renamed, and a failure of the second removes the first, so an
/// export leaves both files or neither.
public struct ExportRun {
    public var model: String
    public var onnx: String
    /// Standardisation (centre, scale, clip) inside the graph: the inputs are then the raw variables.
    public var includePreprocessing: Bool

    /// The files written and what the graph takes and gives.
    public struct Result: Sendable {
        public var onnx: String
        public var preprocessJSON: String
        public var inspection: ONNXInspection
    }

    public init(model: String, onnx: String, includePreprocessing: Bool = false) {
        (self.model, self.onnx, self.includePreprocessing) = (model, onnx, includePreprocessing)
    }

    /// The `preprocess.json` beside `onnx` (weaver's name and place).
    public var preprocessJSONPath: String {
        URL(fileURLWithPath: onnx).deletingLastPathComponent().appendingPathComponent("preprocess.json").path
    }

    /// Exports the model.
    ///
    /// - Throws: ``JetTagKitError/missingModelFile(path:)``; JetExport's ``JetExportError`` for a missing output
    ///   directory, a checkpoint, a model kind without an ONNX graph or tensors that do not fit the architecture;
    ///   the model file's read errors (a damaged file) and the write errors, each naming the file.
    @discardableResult
    public func run() throws -> Result {
        guard FileManager.default.fileExists(atPath: model) else { throw JetTagKitError.missingModelFile(path: model) }
        let directory = URL(fileURLWithPath: onnx).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw JetExportError.missingOutputDirectory(path: onnx, directory: directory)
        }
        try checkKind()
        let file = try ModelFile.read(from: model)
        let export = try ONNXExport(file: file, path: model, includePreprocessing: includePreprocessing)
        let bytes = Data(export.serialized())
        let onnxURL = URL(fileURLWithPath: onnx), preprocessURL = URL(fileURLWithPath: preprocessJSONPath)
        try AtomicFile.write(bytes, to: onnxURL)
        do {
            try AtomicFile.write(export.preprocessJSON, to: preprocessURL)
        } catch {
            try? FileManager.default.removeItem(at: onnxURL)
            throw error
        }
        return Result(onnx: onnx, preprocessJSON: preprocessJSONPath, inspection: ONNXInspection(model: export.model, path: onnx))
    }

    /// Throws ``JetExportError/unsupportedModelKind(file:kind:supported:)`` when the file's `architecture` names a
    /// kind this JetTag has no graph for (a model of a newer JetTag), before decoding it fails less clearly; a
    /// file that cannot be opened is left to `ModelFile.read` to report.
    private func checkKind() throws {
        struct Kind: Decodable { var kind: String }
        guard let file = try? HDF5File(readingAt: model), let text = try? file.stringAttribute("architecture")?.first,
            let kind = try? JSONDecoder().decode(Kind.self, from: Data(text.utf8)).kind
        else { return }
        guard ONNXExport.supportedKinds.contains(kind) else {
            throw JetExportError.unsupportedModelKind(file: model, kind: kind, supported: ONNXExport.supportedKinds)
        }
    }
}
