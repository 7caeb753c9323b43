// CanvasTests: rendered pixels of known shapes (PNG, un-premultiplied), SVG and PDF output with
// their text, atomic writes and format selection by file name.

import ConvkitTestSupport
import Foundation
import ImageIO
import Testing

@testable import Drawing

struct CanvasTests {
    @Test func rectanglePixels() throws {
        let canvas = try Canvas(width: 40, height: 30, scale: 2)
        canvas.fill(Rect(x: 10, y: 10, width: 10, height: 10), Color(hex: 0x268BD2))
        let image = try canvas.image()
        #expect(image.width == 80 && image.height == 60 && image.channels == 3)
        #expect(image.rgba(30, 30) == [0x26, 0x8B, 0xD2, 255])
        #expect(image.rgba(5, 5) == [255, 255, 255, 255])
        #expect(image.rgba(41, 30) == [255, 255, 255, 255])
        #expect(image.rgba(39, 39) == [0x26, 0x8B, 0xD2, 255])
    }

    @Test func translucentPixelsAreUnpremultiplied() throws {
        let canvas = try Canvas(width: 4, height: 4, background: nil)
        canvas.fill(Rect(x: 0, y: 0, width: 2, height: 4), Color(hex: 0x268BD2, alpha: 0.5))
        let image = try canvas.image()
        #expect(image.channels == 4)
        #expect(close(image.rgba(0, 0), [0x26, 0x8B, 0xD2, 128], tolerance: 2))
        #expect(image.rgba(3, 0)[3] == 0)
    }

    @Test func imagesEnlargeWithSharpSquares() throws {
        let tile = try Image(width: 2, height: 2, channels: 1, samples: .uint8([0, 255, 255, 0]))
        let canvas = try Canvas(width: 40, height: 40)
        canvas.draw(tile, in: Rect(x: 0, y: 0, width: 40, height: 40))
        let image = try canvas.image()
        #expect(image.rgba(19, 19) == [0, 0, 0, 255])
        #expect(image.rgba(20, 19) == [255, 255, 255, 255])
        #expect(image.rgba(30, 30) == [0, 0, 0, 255])
    }

    @Test func svgIsWellFormedAndCarriesTheText() throws {
        let canvas = try Canvas(width: 200, height: 60, format: .svg)
        canvas.fill(Rect(x: 0, y: 0, width: 20, height: 20), Color(hex: 0xFF0000))
        canvas.text("Hello", at: Point(x: 30, y: 30), font: Font(size: 14))
        let svg = SVGDocument(try canvas.encoded())
        #expect(svg.wellFormed)
        let root = try #require(svg.all("svg").first)
        #expect(root.attributes["width"] == "200" || root.attributes["width"] == "200px")
        // cairo sets text as glyph outlines: one <use> per drawn letter, one symbol per letter shape.
        let uses = svg.all("use").filter {
            $0.attributes["xlink:href"]?.hasPrefix("#glyph") == true
        }
        #expect(uses.count == 5)
        #expect(Set(uses.compactMap { $0.attributes["xlink:href"] }).count == 4)
        #expect(svg.all("path").contains { $0.fill == [1, 0, 0] })
    }

    @Test func pdfEmbedsTheFont() throws {
        let canvas = try Canvas(width: 100, height: 50, format: .pdf)
        canvas.text("convkit", at: Point(x: 5, y: 5), font: Font(size: 12))
        let bytes = try canvas.encoded()
        #expect(bytes.starts(with: Array("%PDF-".utf8)))
        #expect(String(decoding: bytes, as: UTF8.self).contains("DejaVuSans"))
    }

    @Test func formatFromFileName() throws {
        #expect(try FigureFormat(path: "a/b.PNG") == .png)
        #expect(try FigureFormat(path: "x.svg") == .svg)
        #expect(try FigureFormat(path: "x.pdf") == .pdf)
        #expect(throws: DrawingError.unknownFormat(path: "x.jpg")) {
            try FigureFormat(path: "x.jpg")
        }
        #expect(throws: DrawingError.unknownFormat(path: "dir.png/x")) {
            try FigureFormat(path: "dir.png/x")
        }
    }

    @Test func badSizesThrow() {
        #expect(throws: DrawingError.self) { try Canvas(width: 0, height: 10) }
        #expect(throws: DrawingError.self) { try Canvas(width: 40000, height: 10) }
        #expect(throws: DrawingError.self) { try Canvas(width: .nan, height: 10) }
        #expect(throws: DrawingError.self) { try Canvas(width: 3000, height: 3000, scale: 8) }
        #expect(throws: Never.self) {
            try Canvas(width: 3000, height: 3000, format: .svg, scale: 8)
        }
        // A vector canvas ignores the scale, so it is not held to pixel limits by it.
        for format in [FigureFormat.svg, .pdf] {
            #expect(throws: Never.self) {
                try Canvas(width: 5000, height: 5000, format: format, scale: 8)
            }
        }
    }

    @Test func writesAtomicallyInEveryFormat() throws {
        let folder = NSTemporaryDirectory() + "convkit-drawing-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for format in FigureFormat.allCases {
            let path = "\(folder)/figure.\(format.rawValue)"
            let canvas = try Canvas(width: 30, height: 20, format: format)
            canvas.fill(Rect(x: 0, y: 0, width: 10, height: 10), .black)
            try canvas.write(to: path)
            #expect(try FileAccess.fileSize(path) > 0)
        }
        let decoded = try ImageFile.read(path: "\(folder)/figure.png")
        #expect(decoded.width == 30 && decoded.rgba(5, 5) == [0, 0, 0, 255])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter {
            $0.hasPrefix(".")
        }
        #expect(leftovers.isEmpty)
        #expect(throws: DrawingError.self) {
            try Canvas(width: 10, height: 10).write(to: "\(folder)/missing/figure.png")
        }
    }
}
