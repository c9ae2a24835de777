/// Stroke and fill of an SVG shape.
public struct SVGStyle: Sendable, Equatable {
    /// Stroke colour (any SVG colour, e.g. `#1f77b4`); `nil` means none.
    public var stroke: String?
    public var strokeWidth: Double
    /// Fill colour; `nil` means none.
    public var fill: String?
    /// SVG `stroke-dasharray`, e.g. `"6 3"`; `nil` means solid.
    public var dashArray: String?
    /// SVG `fill-opacity` in [0, 1]; `nil` means opaque.
    public var fillOpacity: Double?

    public init(
        stroke: String? = "black", strokeWidth: Double = 1, fill: String? = nil, dashArray: String? = nil,
        fillOpacity: Double? = nil
    ) {
        self.stroke = stroke
        self.strokeWidth = strokeWidth
        self.fill = fill
        self.dashArray = dashArray
        self.fillOpacity = fillOpacity
    }

    /// The style as SVG presentation attributes.
    var attributes: String {
        var text = "stroke=\"\((stroke ?? "none").xmlEscaped)\" fill=\"\((fill ?? "none").xmlEscaped)\""
        if stroke != nil { text += " stroke-width=\"\(SVGDocument.format(strokeWidth))\"" }
        if let dashArray { text += " stroke-dasharray=\"\(dashArray.xmlEscaped)\"" }
        if let fillOpacity { text += " fill-opacity=\"\(SVGDocument.format(fillOpacity))\"" }
        return text
    }
}
