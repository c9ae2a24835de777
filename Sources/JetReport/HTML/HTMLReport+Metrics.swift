import Foundation
import JetMetrics

extension HTMLReport.Table {
    /// Working points as rows: signal efficiency, cut, eps_B +- error, rejection +- error (4 significant digits).
    public init(workingPoints: [WorkingPoint]) {
        self.init(
            header: ["Signal efficiency", "Score cut", "Background efficiency", "Background rejection"],
            rows: workingPoints.map { point in
                [
                    Self.format(point.signalEfficiency), Self.format(point.threshold),
                    "\(Self.format(point.backgroundEfficiency)) ± \(Self.format(point.backgroundEfficiencyError))",
                    "\(Self.format(point.backgroundRejection)) ± \(Self.format(point.backgroundRejectionError))",
                ]
            })
    }

    /// Warnings as rows of code and message.
    public init(warnings: [MetricWarning]) {
        self.init(header: ["Warning", "Message"], rows: warnings.map { [$0.code, $0.message] })
    }

    /// Four significant digits; "inf" and "nan" spelled out.
    public static func format(_ value: Double) -> String {
        value.isFinite ? String(format: "%.4g", value) : "\(value)"
    }
}
