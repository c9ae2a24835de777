import ArgumentParser
import JetTagKit

/// `jettag export --model RUN/model.h5 --onnx tagger.onnx`: the model as ONNX with weaver's preprocess.json.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a model file as ONNX (one graph, ensembles and k-fold included) with preprocess.json beside it.",
        discussion: "Inputs pf_features [N, C, P], pf_mask [N, 1, P], jet_features [N, K] (and event_number for k-fold); "
            + "outputs probabilities and logits. See docs/ONNX.md.")

    @Option(help: "The model file (RUN/model.h5; not a checkpoint).")
    var model: String

    @Option(help: "The ONNX file to write; preprocess.json is written in the same directory.")
    var onnx: String

    @Flag(help: "Put the standardisation (centre, scale, clip) in the graph: the inputs are then the raw variables.")
    var includePreprocessing = false

    func run() throws {
        let result = try ExportRun(model: model, onnx: onnx, includePreprocessing: includePreprocessing).run()
        print(result.inspection.report)
        print("wrote \(result.onnx) and \(result.preprocessJSON)")
    }
}
