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
    public var glyphCount: Int { glyphs.count }

    /// The `<use>` elements that place glyphs.
    private var glyphs: [Element] {
        elements.filter {
            $0.name == "use" && $0.attributes["xlink:href"]?.hasPrefix("#glyph") == true
        }
    }

    /// The two glyphs of one line of text (the same baseline, to 0.1 unit) whose origins are
    /// closest, and how far apart, among the glyphs whose origin (x, y) `isIncluded`; nil when
    /// no line has two. Digits of labels that run into each other are closer than a digit's
    /// advance (letters such as "i" are narrower: leave words out).
    public func closestGlyphsOnALine(
        where isIncluded: (Double, Double) -> Bool = { _, _ in true }
    ) -> (distance: Double, x: Double, y: Double)? {
        let origins = glyphs.compactMap { use -> (x: Double, y: Double)? in
            guard let x = Double(use.attributes["x"] ?? ""),
                let y = Double(use.attributes["y"] ?? ""), isIncluded(x, y)
            else { return nil }
            return (x, y)
        }
        let lines = Dictionary(grouping: origins) { ($0.y * 10).rounded() }
        var closest: (distance: Double, x: Double, y: Double)?
        for points in lines.values {
            let sorted = points.sorted { $0.x < $1.x }
            for (a, b) in zip(sorted, sorted.dropFirst())
            where b.x - a.x < closest?.distance ?? .infinity {
                closest = (b.x - a.x, a.x, a.y)
            }
        }
        return closest
    }
}
