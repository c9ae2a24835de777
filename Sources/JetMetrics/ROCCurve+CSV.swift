extension ROCCurve {
    /// Columns `threshold`, `signal_efficiency`, `background_efficiency`, `background_rejection`, one row per
    /// point (down-sample first with ``downsampled(maxPoints:)`` for plots).
    public var csvTable: CSVTable {
        CSVTable(columns: [
            ("threshold", thresholds), ("signal_efficiency", signalEfficiency),
            ("background_efficiency", backgroundEfficiency), ("background_rejection", backgroundRejection),
        ])
    }
}
