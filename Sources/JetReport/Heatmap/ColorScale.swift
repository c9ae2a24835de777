import Foundation

/// A colour scale mapping values in a range to colours, interpolated linearly in RGB between control colours.
public struct ColorScale: Sendable, Equatable {
    /// A colour as red, green and blue in 0...255.
    public struct RGB: Sendable, Equatable {
        public var red: Double
        public var green: Double
        public var blue: Double

        public init(_ red: Double, _ green: Double, _ blue: Double) {
            self.red = red
            self.green = green
            self.blue = blue
        }
    }

    /// Control colours from the low end to the high end.
    public var colors: [RGB]
    /// Whether the range is symmetric around 0 (diverging scales for signed values).
    public var isSymmetric: Bool

    public init(colors: [RGB], isSymmetric: Bool) {
        precondition(colors.count >= 2, "a colour scale needs at least two colours")
        self.colors = colors
        self.isSymmetric = isSymmetric
    }

    /// Blue (negative) - white (0) - red (positive), ColorBrewer's RdBu reversed: signed values.
    public static let diverging = ColorScale(
        colors: [
            RGB(5, 48, 97), RGB(33, 102, 172), RGB(67, 147, 195), RGB(146, 197, 222), RGB(209, 229, 240), RGB(247, 247, 247),
            RGB(253, 219, 199), RGB(244, 165, 130), RGB(214, 96, 77), RGB(178, 24, 43), RGB(103, 0, 31),
        ], isSymmetric: true)

    /// Viridis (dark purple to yellow), perceptually uniform: non-negative values such as absolute saliency.
    public static let sequential = ColorScale(
        colors: [
            RGB(68, 1, 84), RGB(71, 45, 123), RGB(59, 82, 139), RGB(44, 114, 142), RGB(33, 145, 140), RGB(40, 174, 128),
            RGB(94, 201, 98), RGB(173, 220, 48), RGB(253, 231, 37),
        ], isSymmetric: false)

    /// The range to colour `values` with (non-finite values left out): +-max|v| for a symmetric scale, else
    /// min(min, 0)...max, so that non-negative values such as absolute saliency start at 0; a degenerate range is
    /// widened so that every value still maps inside it.
    public func range(for values: [Double]) -> ClosedRange<Double> {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return isSymmetric ? -1...1 : 0...1 }
        if isSymmetric {
            let limit = max(Swift.abs(low), Swift.abs(high))
            return limit > 0 ? -limit...limit : -1...1
        }
        let start = min(low, 0)
        return start < high ? start...high : (start - 1)...(high + 1)
    }

    /// The colour of `value` in `range` as `#rrggbb` (values outside the range take the end colours).
    public func color(for value: Double, in range: ClosedRange<Double>) -> String {
        let fraction = min(max((value - range.lowerBound) / (range.upperBound - range.lowerBound), 0), 1)
        let position = fraction * Double(colors.count - 1)
        let index = min(Int(position), colors.count - 2)
        let t = position - Double(index)
        let (a, b) = (colors[index], colors[index + 1])
        func channel(_ x: Double, _ y: Double) -> Int { Int((x + t * (y - x)).rounded()) }
        return String(
            format: "#%02x%02x%02x", channel(a.red, b.red), channel(a.green, b.green), channel(a.blue, b.blue))
    }
}
