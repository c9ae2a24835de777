import Foundation
import JetData
import JetModels

/// `jettag inspect RUN/model.h5`: what a JetTag model file holds, in a few lines (JSON keys as the properties,
/// snake_case).
public struct ModelInspection: Encodable, Sendable {
    public var path: String
    public var tagger: String
    public var kind: String
    public var architecture: String
    public var classNames: [String]
    public var combination: String
    public var dropout: Float
    /// T of the temperature scaling, nil for an uncalibrated model.
    public var calibration: TemperatureCalibration?

    enum CodingKeys: String, CodingKey {
        case path, tagger, kind, architecture, combination, dropout, calibration
        case classNames = "class_names"
    }

    /// Whether the HDF5 file at `path` is a JetTag model file (its `format` attribute).
    public static func isModelFile(path: String) -> Bool {
        (try? HDF5File(readingAt: path).stringAttribute("format")?.first) == ModelFile.format
    }

    public static func inspect(path: String) throws -> ModelInspection {
        let file = try ModelFile.read(from: path)
        let combination: String =
            switch file.combination {
            case .single: "single"
            case .kfold(let k): "\(k)-fold"
            case .ensemble(let count): "ensemble of \(count)"
            }
        return ModelInspection(
            path: path, tagger: file.tagger, kind: file.kind(path: path).rawValue,
            architecture: file.architecture.kind.rawValue, classNames: file.classNames, combination: combination,
            dropout: file.architecture.dropout, calibration: file.calibration)
    }

    /// The lines `jettag inspect` prints.
    public var report: String {
        [
            "\(path): JetTag \(kind) model '\(tagger)' (\(architecture), \(combination))",
            "Classes: \(classNames.joined(separator: ", "))",
            "Dropout: \(dropout)" + (dropout > 0 ? " (jettag predict --mc-dropout N works)" : ""),
            calibration.map {
                "Calibration: temperature T = \(String(format: "%.6g", $0.temperature)), fitted on \($0.jets) "
                    + "\($0.split) jets (NLL \(String(format: "%.5f", $0.nllBefore)) -> \(String(format: "%.5f", $0.nllAfter)))"
            } ?? "Calibration: none (T = 1; jettag calibrate fits one)",
        ].joined(separator: "\n")
    }
}
