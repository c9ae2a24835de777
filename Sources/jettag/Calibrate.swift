import ArgumentParser
import JetTagKit

/// `jettag calibrate --model RUN/model.h5 [--config C.yaml] [--out OUT.h5]`: temperature scaling fitted on the
/// validation split and stored in the model file.
struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit temperature scaling on the validation split and store it in the model file.",
        discussion: """
            Minimises the weighted negative log-likelihood of the validation jets (the model's own data.split and \
            data.selection) over one temperature T > 0 that divides the logits, and writes the model with T \
            (under a temporary name, renamed when complete): predict, evaluate and export --onnx then apply it, \
            and jettag inspect shows it. The jets are read from FILES, else the data.files of --config, else those \
            of the model's training config. See docs/UNCERTAINTY.md.
            """)

    @Option(help: "The model file (RUN/model.h5).")
    var model: String

    @Argument(help: "Labelled input HDF5 files (default: the config's data.files).")
    var files: [String] = []

    @Option(help: "A run config whose data.files are read (default: the model's training config).")
    var config: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("Override a value of --config, e.g. --set 'data.files=[a.h5]' (repeatable).", valueName: "key.path=value"))
    var overrides: [String] = []

    @Option(help: "Where the calibrated model goes (default: replace --model).")
    var out: String?

    @Option(name: .customLong("batch-size"), help: "Jets per batch.")
    var batchSize = 10_000

    @Option(help: "Threads for reading and BLAS.")
    var threads = 1

    func validate() throws {
        guard config != nil || overrides.isEmpty else { throw ValidationError("--set needs --config") }
        guard batchSize > 0, threads > 0 else { throw ValidationError("--batch-size and --threads must be positive") }
    }

    func run() throws {
        let inputs = try files.isEmpty ? config.map { try RunConfig.load(path: $0, overrides: overrides).data.files } ?? [] : files
        let calibration = try CalibrationRun(
            model: model, files: inputs, output: out, batchSize: batchSize, threads: threads
        ).run()
        print(
            "temperature T = \(calibration.temperature) from \(calibration.jets) \(calibration.split) jets: "
                + "NLL \(calibration.nllBefore) -> \(calibration.nllAfter)")
        print("wrote \(out ?? model)")
    }
}
