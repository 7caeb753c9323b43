// RenderTests: rendered diagrams checked so they can fail: pixel colours at known cell
// centres (PNG), the number of cells of each kind (SVG, parsed), and GIF frames, size, delay
// and looping decoded with giflib.

import CGIF
import ConvkitSupport
import ConvkitTestSupport
import Convolution
import Drawing
import Foundation
import ImageIO
import Testing

@testable import Diagrams

struct RenderTests {
    private func rgb(_ image: Image, _ point: Point) -> [Int] {
        (0..<3).map { image.sample(x: Int(point.x), y: Int(point.y), channel: $0) }
    }

    private func expected(_ color: Color) -> [Int] {
        Array(color.bytes.prefix(3)).map(Int.init)
    }

    private func near(_ a: [Int], _ b: [Int], _ tolerance: Int = 2) -> Bool {
        zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    @Test(arguments: DiagramTheme.allCases, [false, true])
    func pixelColoursAtCellCentres(theme: DiagramTheme, flat: Bool) throws {
        let figure = try DiagramFigure(
            parameters: DiagramParameters(
                input: AxisPair(5), kernel: AxisPair(3), stride: AxisPair(2),
                padding: Padding(all: 1)),
            style: DiagramStyle(theme: theme, flat: flat))
        // Output cell (1, 1): footprint rows and columns 2...4 of the padded 7x7 grid.
        let frame = 4
        let image = try figure.canvas(frame: frame, format: .png).image()
        #expect(
            Double(image.width) == figure.size.width && Double(image.height) == figure.size.height)
        let shadedInput = expected(theme.shade.over(theme.input))
        #expect(near(rgb(image, figure.bottomCenter(GridCell(row: 3, column: 3))), shadedInput))
        #expect(
            near(
                rgb(image, figure.bottomCenter(GridCell(row: 1, column: 1))), expected(theme.input))
        )
        #expect(
            near(
                rgb(image, figure.bottomCenter(GridCell(row: 5, column: 1))), expected(theme.input))
        )
        #expect(
            near(
                rgb(image, figure.bottomCenter(GridCell(row: 6, column: 3))),
                expected(theme.background)))
        #expect(
            near(
                rgb(image, figure.topCenter(GridCell(row: 1, column: 1))),
                expected(theme.shade.over(theme.output))))
        #expect(
            near(rgb(image, figure.topCenter(GridCell(row: 2, column: 0))), expected(theme.output)))
    }

    @Test func pngFileHasTheLaidOutSize() throws {
        let folder = try temporaryFolder("diagrams")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let figure = try DiagramFigure(
            parameters: DiagramParameters(input: AxisPair(4), kernel: AxisPair(3)))
        try figure.write(to: folder + "/d.png", frame: 3, scale: 2)
        let image = try ImageFile.read(path: folder + "/d.png")
        #expect(image.width == Int((figure.size.width * 2).rounded(.up)))
        let center = figure.topCenter(GridCell(row: 1, column: 1)) * 2
        #expect(
            near(
                rgb(image, center),
                expected(DiagramTheme.classic.shade.over(DiagramTheme.classic.output))))
        #expect(throws: DiagramError.unknownFormat(path: folder + "/d.jpg")) {
            try figure.write(to: folder + "/d.jpg")
        }
        #expect(throws: DiagramError.self) { try figure.write(to: folder + "/d.png", frame: 4) }
    }

    @Test func svgHasOneShapePerCell() throws {
        // Transposed, stride 2, padding 1: a 7x7 bottom grid with 9 input cells, 16 inserted
        // zeros and 24 padding cells, and a 5x5 output.
        let theme = DiagramTheme.classic
        let figure = try DiagramFigure(
            parameters: DiagramParameters(
                input: AxisPair(3), kernel: AxisPair(3), stride: AxisPair(2),
                padding: Padding(all: 1), transposed: true))
        let svg = try figure.canvas(frame: 0, format: .svg).encoded()
        let document = SVGDocument(svg)
        #expect(document.wellFormed)
        let paths = document.elements.filter { $0.name == "path" }
        func filled(_ color: Color) -> Int {
            paths.filter { style in
                guard let fill = style.fill else { return false }
                return zip(fill, [color.red, color.green, color.blue]).allSatisfy {
                    abs($0 - $1) < 0.003
                }
            }.count
        }
        #expect(filled(theme.input) == 9)
        #expect(filled(theme.output) == 25)
        let dashed = paths.filter { ($0.attributes["style"] ?? "").contains("stroke-dasharray") }
        #expect(dashed.count == 16 + 24)
    }

    @Test func gifFramesSizeDelayAndLoop() throws {
        let folder = try temporaryFolder("diagrams")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let figure = try DiagramFigure(
            parameters: DiagramParameters(
                input: AxisPair(rows: 4, columns: 3), kernel: AxisPair(2),
                stride: AxisPair(rows: 2, columns: 1)),
            style: DiagramStyle(cellSize: 18))
        #expect(figure.frameCount == 4)
        let path = folder + "/d.gif"
        try figure.write(to: path, delay: 25)
        var status: Int32 = 0
        let file = try #require(DGifOpenFileName(path, &status))
        defer { DGifCloseFile(file, &status) }
        #expect(DGifSlurp(file) == GIF_OK)
        #expect(Int(file.pointee.ImageCount) == 4)
        #expect(Int(file.pointee.SWidth) == Int(figure.size.width.rounded(.up)))
        #expect(Int(file.pointee.SHeight) == Int(figure.size.height.rounded(.up)))
        var control = GraphicsControlBlock()
        #expect(DGifSavedExtensionToGCB(file, 2, &control) == GIF_OK)
        #expect(control.DelayTime == 25)
        var extensions = [UInt8]()
        for index in 0..<Int(file.pointee.ImageCount) {
            let saved = file.pointee.SavedImages[index]
            for block in 0..<Int(saved.ExtensionBlockCount) {
                let ext = saved.ExtensionBlocks[block]
                extensions += UnsafeBufferPointer(start: ext.Bytes, count: Int(ext.ByteCount))
            }
        }
        for block in 0..<Int(file.pointee.ExtensionBlockCount) {
            let ext = file.pointee.ExtensionBlocks[block]
            extensions += UnsafeBufferPointer(start: ext.Bytes, count: Int(ext.ByteCount))
        }
        #expect(String(decoding: extensions, as: UTF8.self).contains("NETSCAPE2.0"))
        // The first frame is whole; its pixel at an input cell's centre is exactly the input colour.
        let first = file.pointee.SavedImages[0]
        #expect(Int(first.ImageDesc.Width) == Int(file.pointee.SWidth))
        let center = figure.bottomCenter(GridCell(row: 3, column: 2))
        let index = Int(
            first.RasterBits[Int(center.y) * Int(first.ImageDesc.Width) + Int(center.x)])
        let map = try #require(first.ImageDesc.ColorMap ?? file.pointee.SColorMap)
        let colour = map.pointee.Colors[index]
        #expect(
            [Int(colour.Red), Int(colour.Green), Int(colour.Blue)]
                == expected(DiagramTheme.classic.input))
    }

    @Test func hugeAnimationsAreRefused() throws {
        let figure = try DiagramFigure(
            parameters: DiagramParameters(
                input: AxisPair(60), kernel: AxisPair(3), padding: Padding(all: 1)),
            style: DiagramStyle(cellSize: 4))
        #expect(figure.frameCount == 3600)
        #expect(throws: DiagramError.self) { try figure.animation() }
    }

    @Test func framesFolder() throws {
        let folder = try temporaryFolder("diagrams")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let figure = try DiagramFigure(
            parameters: DiagramParameters(input: AxisPair(3), kernel: AxisPair(2)),
            style: DiagramStyle(cellSize: 12))
        let paths = try figure.writeFrames(toDirectory: folder)
        #expect(
            paths.map { ($0 as NSString).lastPathComponent } == [
                "frame-001.png", "frame-002.png", "frame-003.png", "frame-004.png",
            ])
        #expect(try ImageFile.read(path: paths[3]).width == Int(figure.size.width))
    }

    /// The connectors to the output cell run under the input numbers, not through them: every
    /// glyph inside the input grid comes after the connector lines in the SVG's drawing order.
    @Test func connectorsRunUnderTheInputNumbers() throws {
        let figure = try DiagramFigure(
            parameters: DiagramParameters(
                input: AxisPair(8), kernel: AxisPair(3), showValues: true),
            style: DiagramStyle(flat: true))
        let document = SVGDocument(try figure.canvas(frame: 12, format: .svg).encoded())
        let elements = document.elements
        let connectors = elements.indices.filter {
            elements[$0].name == "path"
                && elements[$0].attributes["style"]?.contains("stroke-opacity:0.8") == true
        }
        let lastConnector = try #require(connectors.last)
        let grid = figure.geometry.bottom
        let topLeft = figure.layout.bottomPoint(row: 0, column: 0)
        let bottomRight = figure.layout.bottomPoint(
            row: Double(grid.rows), column: Double(grid.columns))
        let inputGlyphs = elements.indices.filter { index in
            let element = elements[index]
            guard element.name == "use", let x = element.attributes["x"].flatMap(Double.init),
                let y = element.attributes["y"].flatMap(Double.init)
            else { return false }
            return (topLeft.x...bottomRight.x).contains(x)
                && (topLeft.y...bottomRight.y).contains(y)
        }
        #expect(inputGlyphs.count >= grid.cellCount)
        #expect(inputGlyphs.allSatisfy { $0 > lastConnector })
    }
}

/// The GIF palette's fast nearest-colour search against the plain scan over every entry.
struct PaletteTests {
    @Test func fastNearestMatchesTheScan() {
        var generator = SeededGenerator(seed: 7)
        for size in [1, 2, 17, 256] {
            var palette = (0..<size).map { _ in
                UInt32(truncatingIfNeeded: generator.next()) & 0xFF_FFFF
            }
            if size > 4 { palette[3] = palette[2] }  // ties resolve to the first index in both
            let search = NearestColor(palette)
            for _ in 0..<2000 {
                let colour = UInt32(truncatingIfNeeded: generator.next()) & 0xFF_FFFF
                #expect(search.index(of: colour) == Palette.nearest(colour, in: palette))
            }
            for colour in palette { #expect(palette[Int(search.index(of: colour))] == colour) }
        }
    }

    @Test func fewColoursAreKeptExactly() {
        let pixels: [UInt32] = [0x268BD2, 0xFFFFFF, 0x268BD2, 0x002B36]
        let indexed = Palette.index(pixels)
        #expect(indexed.palette.count == 3)
        #expect(indexed.indices.map { indexed.palette[Int($0)] } == pixels)
    }

    @Test func manyColoursKeepTheDominantOnesExact() {
        // 300 distinct colours: one large flat fill and a ramp of blends.
        var pixels = [UInt32](repeating: 0x268BD2, count: 5000)
        pixels += (0..<299).map { UInt32($0) << 8 | 0x40 }
        let indexed = Palette.index(pixels)
        #expect(indexed.palette.count <= 256)
        #expect(indexed.palette[Int(indexed.indices[0])] == 0x268BD2)
        for (pixel, index) in zip(pixels, indexed.indices).suffix(299) {
            let got = indexed.palette[Int(index)]
            let error =
                (0..<3).map { abs(Palette.component(got, $0) - Palette.component(pixel, $0)) }.max()
                ?? 0
            #expect(error <= 8)
        }
    }
}

/// AnimatedGIF used directly, with frames given as images.
struct AnimatedGIFTests {
    @Test func imagesInFramesOut() throws {
        let red = try Image(
            width: 3, height: 2, channels: 3,
            samples: .uint8(Array(repeating: [255, 0, 0], count: 6).flatMap { $0 }))
        let grey = try Image(
            width: 3, height: 2, channels: 1, samples: .uint8([0, 50, 100, 150, 200, 250]))
        let gif = try AnimatedGIF(width: 3, height: 2, delay: 7)
        try gif.append(red)
        try gif.append(grey)
        let bytes = try gif.finish()
        #expect(bytes.starts(with: Array("GIF89a".utf8)))
        #expect(throws: DiagramError.self) { try gif.append(red) }
        #expect(throws: DiagramError.self) { try AnimatedGIF(width: 0, height: 2, delay: 1) }
        let wrongSize = try AnimatedGIF(width: 2, height: 2, delay: 1)
        #expect(throws: DiagramError.self) { try wrongSize.append(red) }
        #expect(throws: DiagramError.self) { try wrongSize.finish() }
    }
}
