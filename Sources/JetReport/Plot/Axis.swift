import Foundation

/// One axis of a plot: label, linear or logarithmic scale, and a range (from the data when `nil`).
public struct Axis: Sendable, Equatable {
    public enum Scale: Sendable, Equatable {
        case linear
        /// Base-10 logarithmic; non-positive values cannot be drawn and are left out.
        case logarithmic
    }

    /// A tick: its data value and label (empty for minor ticks).
    public struct Tick: Sendable, Equatable {
        public var value: Double
        public var label: String
    }

    public var label: String
    public var scale: Scale
    /// Shown range; `nil` means fitted to the data with some headroom.
    public var range: ClosedRange<Double>?

    public init(label: String, scale: Scale = .linear, range: ClosedRange<Double>? = nil) {
        self.label = label
        self.scale = scale
        self.range = range
    }

    /// Position of `value` as a fraction of the axis length (0 at `range.lowerBound`), `nil` if the value
    /// cannot be drawn (NaN, infinite, or non-positive on a log scale).
    func fraction(of value: Double, in range: ClosedRange<Double>) -> Double? {
        guard value.isFinite else { return nil }
        switch scale {
        case .linear:
            return (value - range.lowerBound) / (range.upperBound - range.lowerBound)
        case .logarithmic:
            guard value > 0 else { return nil }
            return log10(value / range.lowerBound) / log10(range.upperBound / range.lowerBound)
        }
    }

    /// The range to draw: `range` if set, else one fitted to `values` (drawable ones only), widened to
    /// whole ticks on a linear axis and whole decades on a log axis, with `headroom` (a fraction of the
    /// axis length) added at the top.
    func resolvedRange(for values: [Double], headroom: Double = 0) -> ClosedRange<Double> {
        if let range { return range }
        let drawable = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        guard var low = drawable.min(), var high = drawable.max() else {
            return scale == .linear ? 0...1 : 1...10
        }
        switch scale {
        case .linear:
            // A span at the limit of Double precision (e.g. 500 and 500.00000000000006) has no ticks to draw.
            let magnitude = max(Swift.abs(low), Swift.abs(high))
            if high - low <= 1e-9 * magnitude || low == high {
                let pad = magnitude > 0 ? 0.01 * magnitude : 1
                (low, high) = (low - pad, high + pad)
            }
            high += headroom * (high - low)
            let step = Self.niceStep(for: high - low)
            return (floor(low / step) * step)...(ceil(high / step) * step)
        case .logarithmic:
            var lowDecade = floor(log10(low))
            var highDecade = ceil(log10(high) + headroom * (log10(high) - lowDecade))
            if lowDecade == highDecade { (lowDecade, highDecade) = (lowDecade - 1, highDecade + 1) }
            return pow(10, lowDecade)...pow(10, highDecade)
        }
    }

    /// Major ticks with labels and (on log axes) unlabelled minor ticks at 2..9 x 10^k, inside `range`.
    func ticks(in range: ClosedRange<Double>) -> [Tick] {
        switch scale {
        case .linear:
            let step = Self.niceStep(for: range.upperBound - range.lowerBound)
            let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
            var ticks: [Tick] = []
            let first = ceil(range.lowerBound / step - 1e-9)
            // At most 50 ticks: a range too narrow for its magnitude must not loop on k * step.
            for k in 0..<50 {
                let value = (first + Double(k)) * step
                guard value <= range.upperBound + 1e-9 * step, ticks.last.map({ value > $0.value }) ?? true else { break }
                ticks.append(Tick(value: value, label: String(format: "%.\(decimals)f", value == 0 ? 0 : value)))
            }
            return ticks
        case .logarithmic:
            var ticks: [Tick] = []
            let first = Int(floor(log10(range.lowerBound)))
            let last = Int(ceil(log10(range.upperBound)))
            for decade in first...last {
                for multiple in 1...9 {
                    let value = Double(multiple) * pow(10, Double(decade))
                    guard value >= range.lowerBound * (1 - 1e-9), value <= range.upperBound * (1 + 1e-9) else { continue }
                    ticks.append(Tick(value: value, label: multiple == 1 ? Self.decadeLabel(decade) : ""))
                }
            }
            return ticks
        }
    }

    /// 1, 2 or 5 times a power of ten, giving about five intervals over `span`.
    static func niceStep(for span: Double) -> Double {
        let raw = span / 5
        let magnitude = pow(10, floor(log10(raw)))
        let mantissa = raw / magnitude
        let nice: Double = mantissa < 1.5 ? 1 : mantissa < 3.5 ? 2 : mantissa < 7.5 ? 5 : 10
        return nice * magnitude
    }

    /// "0.01", "1", "1000" within 10^-3..10^4, otherwise "1e5" style.
    static func decadeLabel(_ decade: Int) -> String {
        switch decade {
        case -3..<0: return String(format: "%.\(-decade)f", pow(10, Double(decade)))
        case 0...4: return String(Int(pow(10, Double(decade))))
        default: return "1e\(decade)"
        }
    }
}
