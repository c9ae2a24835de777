import Foundation

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
        try Data(csv(records).utf8).write(to: directory.appendingPathComponent("history.csv"), options: .atomic)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(records).write(to: directory.appendingPathComponent("history.json"), options: .atomic)
    }
}
