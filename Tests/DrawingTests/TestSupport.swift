// TestSupport: fixtures, pixel access and a small SVG reader shared by the Drawing tests.

import Foundation
import ImageIO

#if canImport(FoundationXML)
    import FoundationXML
#endif

enum Fixtures {
    static var root: String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)?.path ?? "Fixtures"
    }

    static func lines(_ name: String) throws -> [String] {
        let text = try String(contentsOfFile: root + "/" + name, encoding: .utf8)
        return text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }
}

extension Image {
    /// The 8-bit RGBA of the pixel at (`x`, `y`); opaque for RGB images.
    func rgba(_ x: Int, _ y: Int) -> [Int] {
        let colour = (0..<min(channels, 3)).map { sample(x: x, y: y, channel: $0) }
        return colour + [hasAlpha ? sample(x: x, y: y, channel: channels - 1) : 255]
    }
}

/// Whether two 8-bit colours differ by at most `tolerance` in every component.
func close(_ a: [Int], _ b: [UInt8], tolerance: Int = 1) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - Int($1)) <= tolerance }
}

/// Parses an SVG document with Foundation's XML parser and collects its elements.
final class SVGDocument: NSObject, XMLParserDelegate {
    struct Element {
        let name: String
        let attributes: [String: String]
    }

    private(set) var elements = [Element]()
    private(set) var wellFormed = false

    init(_ bytes: [UInt8]) {
        super.init()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = self
        wellFormed = parser.parse()
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        elements.append(Element(name: elementName, attributes: attributeDict))
    }

    /// Elements named `name`.
    func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }
}

/// The fill colour of an SVG element's `style` (cairo writes `fill:rgb(r%,g%,b%)`), 0...1.
func svgFill(_ element: SVGDocument.Element) -> [Double]? {
    guard
        let style = element.attributes["style"] ?? element.attributes["fill"].map({ "fill:" + $0 }),
        let start = style.range(of: "fill:rgb(")
    else { return nil }
    let rest = style[start.upperBound...]
    guard let end = rest.firstIndex(of: ")") else { return nil }
    let parts = rest[..<end].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let values = parts.compactMap { part -> Double? in
        part.hasSuffix("%")
            ? Double(part.dropLast()).map { $0 / 100 } : Double(part).map { $0 / 255 }
    }
    return values.count == 3 ? values : nil
}
