import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG or XHTML document parsed with Foundation's XMLParser: every element in document order, with its
/// attributes, its text and the `data-name` of the series group it lies in.
final class ParsedXML: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""
        /// `data-name` of the enclosing `<g class="series">`, if any.
        var series: String?
        /// `class` of the nearest enclosing group, if any.
        var group: String?
    }

    private(set) var elements: [Element] = []
    private var open: [Int] = []
    private(set) var parseError: Error?

    /// Parses `svg`; `nil` if it is not well-formed XML.
    static func parse(_ svg: String) -> ParsedXML? {
        let result = ParsedXML()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = result
        return parser.parse() ? result : nil
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        let parent = open.last.map { elements[$0] }
        var element = Element(name: elementName, attributes: attributes, series: parent?.series, group: parent?.group)
        if elementName == "g" {
            if attributes["class"] == "series" { element.series = attributes["data-name"] }
            if let group = attributes["class"] { element.group = group }
        }
        elements.append(element)
        open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let current = open.last { elements[current].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        self.parseError = parseError
    }

    /// Names of the series groups, in document order.
    var seriesNames: [String] {
        elements.filter { $0.name == "g" && $0.attributes["class"] == "series" }.compactMap { $0.attributes["data-name"] }
    }

    /// Elements called `name` inside the series group called `series`.
    func elements(_ name: String, inSeries series: String) -> [Element] {
        elements.filter { $0.name == name && $0.series == series }
    }
}
