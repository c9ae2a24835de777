import Foundation
import JetMetrics

/// One self-contained HTML page for a run: sections of text, tables and inline SVG plots, with no external
/// files, scripts or fonts, so it can be mailed or archived as it is.
///
/// The markup is also well-formed XML (XHTML syntax), so it can be checked with any XML parser. All text
/// is escaped.
public struct HTMLReport: Sendable {
    /// A table of text cells.
    public struct Table: Sendable, Equatable {
        public var header: [String]
        public var rows: [[String]]

        public init(header: [String], rows: [[String]]) {
            precondition(rows.allSatisfy { $0.count == header.count }, "every row needs one cell per column")
            self.header = header
            self.rows = rows
        }
    }

    /// A piece of a section.
    public enum Block: Sendable {
        case paragraph(String)
        case table(Table)
        /// A plot drawn inline, with a caption under it.
        case figure(Plot, caption: String)
        /// A heatmap drawn inline, with a caption under it.
        case heatmap(Heatmap, caption: String)
        /// Monospaced text, e.g. a config or a command line.
        case preformatted(String)
    }

    /// A titled part of the page.
    public struct Section: Sendable {
        public var title: String
        public var blocks: [Block]

        public init(title: String, blocks: [Block]) {
            self.title = title
            self.blocks = blocks
        }
    }

    public var title: String
    public var sections: [Section]

    public init(title: String, sections: [Section] = []) {
        self.title = title
        self.sections = sections
    }

    /// The page.
    public var html: String {
        var page = """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
            <head>
            <meta charset="utf-8"/>
            <title>\(title.xmlEscaped)</title>
            <style>\(Self.styleSheet)</style>
            </head>
            <body>
            <h1>\(title.xmlEscaped)</h1>

            """
        for section in sections {
            page += "<section>\n<h2>\(section.title.xmlEscaped)</h2>\n"
            for block in section.blocks { page += Self.markup(block) }
            page += "</section>\n"
        }
        return page + "</body>\n</html>\n"
    }

    /// Writes the page to `url` atomically (temporary file, then rename).
    public func write(to url: URL) throws(JetMetricsError) {
        try AtomicFile.write(html, to: url)
    }

    private static func markup(_ block: Block) -> String {
        switch block {
        case .paragraph(let text):
            return "<p>\(text.xmlEscaped)</p>\n"
        case .preformatted(let text):
            return "<pre>\(text.xmlEscaped)</pre>\n"
        case .figure(let plot, let caption):
            return "<figure>\n\(plot.svgElement)<figcaption>\(caption.xmlEscaped)</figcaption>\n</figure>\n"
        case .heatmap(let heatmap, let caption):
            return "<figure>\n\(heatmap.svgElement)<figcaption>\(caption.xmlEscaped)</figcaption>\n</figure>\n"
        case .table(let table):
            let header = table.header.map { "<th>\($0.xmlEscaped)</th>" }.joined()
            let rows = table.rows.map { "<tr>" + $0.map { "<td>\($0.xmlEscaped)</td>" }.joined() + "</tr>\n" }.joined()
            return "<table>\n<thead><tr>\(header)</tr></thead>\n<tbody>\n\(rows)</tbody>\n</table>\n"
        }
    }

    private static let styleSheet = """
        body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 980px; margin: 2em auto; \
        color: #222; } \
        h1 { font-size: 1.6em; } h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; } \
        table { border-collapse: collapse; margin: 1em 0; } \
        th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; } \
        th { background: #f3f3f3; } td:first-child { text-align: left; } \
        figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; } figcaption { font-size: 0.9em; color: #555; } \
        pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; }
        """
}
