import Foundation

/// An SVG image assembled element by element; ``xml`` is the complete, standalone document.
///
/// Coordinates are SVG pixels: x to the right, y downwards from the top-left corner. Every text and
/// attribute value is XML-escaped, so any series name or label is safe.
public struct SVGDocument: Sendable {
    public let width: Double
    public let height: Double
    private var body: [String] = []
    private var openGroups = 0

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// The document text: XML declaration, then ``element``.
    public var xml: String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + element
    }

    /// The `<svg>` element alone (root with `viewBox` and the elements in drawing order), for embedding in HTML.
    public var element: String {
        precondition(openGroups == 0, "every beginGroup needs an endGroup")
        let w = Self.format(width)
        let h = Self.format(height)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(w)" height="\(h)" viewBox="0 0 \(w) \(h)" \
            font-family="DejaVu Sans, Helvetica, Arial, sans-serif">

            """ + body.joined(separator: "\n") + "\n</svg>\n"
    }

    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, style: SVGStyle = SVGStyle()) {
        body.append(
            "<line x1=\"\(Self.format(x1))\" y1=\"\(Self.format(y1))\" x2=\"\(Self.format(x2))\" "
                + "y2=\"\(Self.format(y2))\" \(style.attributes)/>")
    }

    /// A connected line through `points` (x, y).
    public mutating func polyline(_ points: [(x: Double, y: Double)], style: SVGStyle) {
        let coordinates = points.map { "\(Self.format($0.x)),\(Self.format($0.y))" }.joined(separator: " ")
        body.append("<polyline points=\"\(coordinates)\" \(style.attributes)/>")
    }

    /// A path with SVG path data `data` (e.g. `"M 0 0 H 10 V 5"`).
    public mutating func path(_ data: String, style: SVGStyle) {
        body.append("<path d=\"\(data.xmlEscaped)\" \(style.attributes)/>")
    }

    public mutating func rect(x: Double, y: Double, width: Double, height: Double, style: SVGStyle) {
        body.append(
            "<rect x=\"\(Self.format(x))\" y=\"\(Self.format(y))\" width=\"\(Self.format(width))\" "
                + "height=\"\(Self.format(height))\" \(style.attributes)/>")
    }

    public mutating func circle(cx: Double, cy: Double, radius: Double, style: SVGStyle) {
        body.append(
            "<circle cx=\"\(Self.format(cx))\" cy=\"\(Self.format(cy))\" r=\"\(Self.format(radius))\" "
                + "\(style.attributes)/>")
    }

    /// Where a text's anchor point is: its start, middle or end.
    public enum TextAnchor: String, Sendable {
        case start, middle, end
    }

    /// Text at (x, y) (the baseline), optionally rotated by `rotation` degrees about that point.
    public mutating func text(
        _ text: String, x: Double, y: Double, anchor: TextAnchor = .start, size: Double = 12, rotation: Double = 0,
        weight: String = "normal"
    ) {
        var element = "<text x=\"\(Self.format(x))\" y=\"\(Self.format(y))\" text-anchor=\"\(anchor.rawValue)\" "
            + "font-size=\"\(Self.format(size))\""
        if weight != "normal" { element += " font-weight=\"\(weight.xmlEscaped)\"" }
        if rotation != 0 {
            element += " transform=\"rotate(\(Self.format(rotation)) \(Self.format(x)) \(Self.format(y)))\""
        }
        body.append(element + ">\(text.xmlEscaped)</text>")
    }

    /// A clipping rectangle that later groups can refer to by `id`.
    public mutating func clipRectangle(id: String, x: Double, y: Double, width: Double, height: Double) {
        body.append(
            "<clipPath id=\"\(id.xmlEscaped)\"><rect x=\"\(Self.format(x))\" y=\"\(Self.format(y))\" "
                + "width=\"\(Self.format(width))\" height=\"\(Self.format(height))\"/></clipPath>")
    }

    /// Opens a `<g>` with the given attributes (name, unescaped value); close it with ``endGroup()``.
    public mutating func beginGroup(_ attributes: [(name: String, value: String)] = []) {
        let text = attributes.map { " \($0.name)=\"\($0.value.xmlEscaped)\"" }.joined()
        body.append("<g\(text)>")
        openGroups += 1
    }

    public mutating func endGroup() {
        precondition(openGroups > 0, "endGroup without beginGroup")
        body.append("</g>")
        openGroups -= 1
    }

    /// A coordinate or length with two decimals (enough for pixels, keeps files small).
    static func format(_ value: Double) -> String {
        String(format: "%.2f", value)
    }
}
