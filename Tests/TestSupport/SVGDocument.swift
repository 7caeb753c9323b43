// SVGDocument: a small SVG reader (Foundation's XML parser) for checking cairo's SVG output.

import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Every element of an SVG document, in document order.
public final class SVGDocument: NSObject, XMLParserDelegate {
    /// One element: its name and attributes.
    public struct Element: Sendable {
        public let name: String
        public let attributes: [String: String]

        /// The fill colour of the element's `style` or `fill` (cairo writes
        /// `fill:rgb(r%,g%,b%)`), as 0...1 components.
        public var fill: [Double]? {
            guard
                let style = attributes["style"] ?? attributes["fill"].map({ "fill:" + $0 }),
                let start = style.range(of: "fill:rgb(")
            else { return nil }
            let rest = style[start.upperBound...]
            guard let end = rest.firstIndex(of: ")") else { return nil }
            let values = rest[..<end].split(separator: ",").compactMap { part -> Double? in
                let text = part.trimmingCharacters(in: .whitespaces)
                return text.hasSuffix("%")
                    ? Double(text.dropLast()).map { $0 / 100 } : Double(text).map { $0 / 255 }
            }
            return values.count == 3 ? values : nil
        }
    }

    /// The elements in document order.
    public private(set) var elements = [Element]()
    /// Whether the parser read the whole document without an error.
    public private(set) var wellFormed = false

    /// Parses `bytes`.
    public init(_ bytes: [UInt8]) {
        super.init()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = self
        wellFormed = parser.parse()
    }

    public func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        elements.append(Element(name: elementName, attributes: attributeDict))
    }

    /// The elements named `name`.
    public func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }

    /// Glyphs placed: cairo writes each drawn letter as a `<use>` of a `#glyph` symbol.
    public var glyphCount: Int {
        elements.filter {
            $0.name == "use" && $0.attributes["xlink:href"]?.hasPrefix("#glyph") == true
        }.count
    }
}
