extension Plot {
    /// Training (solid) and validation (dashed) loss per epoch of one or more runs, with the epoch of the
    /// lowest validation loss (the one `model.h5` keeps) marked by a point.
    ///
    /// - Parameter runs: (run name, epochs) pairs; the names label the legend when there are several runs.
    public static func lossCurves(_ runs: [(name: String, history: [TrainingEpoch])], title: String = "Loss curves") -> Plot {
        var series: [PlotSeries] = []
        for (index, run) in runs.enumerated() {
            let color = palette[index % palette.count]
            let prefix = runs.count > 1 ? "\(run.name): " : ""
            let epochs = run.history.map { Double($0.epoch) }
            series.append(.line(name: "\(prefix)training", x: epochs, y: run.history.map(\.trainingLoss), color: color))
            series.append(.line(
                name: "\(prefix)validation", x: epochs, y: run.history.map(\.validationLoss), color: color, dashed: true))
            if let best = run.history.min(by: { $0.validationLoss < $1.validationLoss }) {
                series.append(.points(
                    name: "\(prefix)best (epoch \(best.epoch))", x: [Double(best.epoch)], y: [best.validationLoss], color: color))
            }
        }
        return Plot(title: title, xAxis: Axis(label: "Epoch"), yAxis: Axis(label: "Loss (weighted mean per jet)"), series: series)
    }
}
