import Foundation
import JetCore

/// Writes a run's epoch records as `history.csv` and `history.json` (each replaced atomically).
public enum TrainingHistory {
    public static let csvHeader = "epoch,training_loss,validation_loss,validation_accuracy,learning_rate,seconds,jets_per_second"

    /// The records as CSV, one line per epoch after ``csvHeader``.
    public static func csv(_ records: [EpochRecord]) -> String {
        let lines = records.map { r in
            "\(r.epoch),\(r.trainingLoss),\(r.validationLoss),\(r.validationAccuracy.map { "\($0)" } ?? ""),"
                + "\(r.learningRate),\(r.seconds),\(r.jetsPerSecond)"
        }
        return ([csvHeader] + lines).joined(separator: "\n") + "\n"
    }

    /// Writes both files into `directory`.
    public static func write(_ records: [EpochRecord], to directory: URL) throws {
        let csvURL = directory.appendingPathComponent("history.csv")
        try FileSystemError.wrapping(path: csvURL.path, action: "cannot write the training history") {
            try Data(csv(records).utf8).write(to: csvURL, options: .atomic)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try encoder.encode(records)
        let jsonURL = directory.appendingPathComponent("history.json")
        try FileSystemError.wrapping(path: jsonURL.path, action: "cannot write the training history") {
            try json.write(to: jsonURL, options: .atomic)
        }
    }
}
