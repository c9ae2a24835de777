import Foundation
import JetTagKit

/// Prints a run's progress on stderr: one line per epoch (loss, validation loss, jets/s, ETA) and, when
/// stderr is a terminal, a live bar over the steps of the current epoch.
final class TrainingProgress {
    private let epochs: Int
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let quiet: Bool
    private var lastDraw = Date.distantPast

    init(epochs: Int, quiet: Bool) {
        self.epochs = epochs
        self.quiet = quiet
    }

    func report(member: Int, members: Int, event: Trainer.Event) {
        guard !quiet else { return }
        let prefix = members > 1 ? "model \(member + 1)/\(members) " : ""
        switch event {
        case .step(let epoch, let step, let steps, let loss, let jetsPerSecond):
            guard isTerminal, Date().timeIntervalSince(lastDraw) > 0.2 || step + 1 == steps else { return }
            lastDraw = Date()
            let width = 30
            let filled = width * (step + 1) / steps
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            write(
                "\r\(prefix)epoch \(epoch + 1)/\(epochs) [\(bar)] \(step + 1)/\(steps) loss \(format(Double(loss))) "
                    + "\(Int(jetsPerSecond)) jets/s\u{1B}[K")
        case .note(let message):
            write("\(prefix)\(message)\n")
        case .epoch(let record, let secondsRemaining):
            if isTerminal { write("\r\u{1B}[K") }
            write(
                "\(prefix)epoch \(record.epoch)/\(epochs)  loss \(format(record.trainingLoss))  val_loss "
                    + "\(format(record.validationLoss))  val_acc \(record.validationAccuracy.map(format) ?? "-")  lr \(record.learningRate)  \(Int(record.jetsPerSecond)) jets/s  "
                    + "\(String(format: "%.1f", record.seconds)) s  ETA \(duration(secondsRemaining))\n")
        }
    }

    private func format(_ value: Double) -> String { String(format: "%.4f", value) }

    private func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 60 ? "\(total / 60)m\(String(format: "%02d", total % 60))s" : "\(total)s"
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
