import Foundation

extension HTMLReport.Section {
    /// Loss curves of one or more runs and a per-epoch table of the first.
    ///
    /// - Parameter runs: (name, epochs) pairs, e.g. one per k-fold member or per compared run.
    public init(training runs: [(name: String, history: [TrainingEpoch])], title: String = "Training") {
        var blocks: [HTMLReport.Block] = [
            .figure(
                Plot.lossCurves(runs),
                caption: "Weighted loss per epoch: training (solid, averaged over the epoch's steps) and validation "
                    + "(dashed, after the epoch). The marked epoch has the lowest validation loss; its model is model.h5."),
        ]
        if let first = runs.first {
            blocks.append(.table(HTMLReport.Table(
                header: ["Epoch", "Training loss", "Validation loss", "Learning rate", "Seconds", "Jets/s"],
                rows: first.history.map { record in
                    ["\(record.epoch)", String(format: "%.5f", record.trainingLoss), String(format: "%.5f", record.validationLoss),
                     HTMLReport.Table.format(record.learningRate), String(format: "%.1f", record.seconds),
                     String(format: "%.0f", record.jetsPerSecond)]
                })))
        }
        self.init(title: title, blocks: blocks)
    }
}
