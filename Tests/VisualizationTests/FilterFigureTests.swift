// FilterFigureTests: kernel indexing, layout sizes, and the colours of known weight squares.

import ConvkitTestSupport
import Drawing
import ImageIO
import Testing

@testable import Visualization

struct FilterFigureTests {
    /// A (kh, kw, cin, cout) kernel whose every weight encodes its own position.
    static func positional(_ kh: Int, _ kw: Int, _ cin: Int, _ cout: Int) throws -> KernelWeights {
        var values = [Float]()
        for y in 0..<kh {
            for x in 0..<kw {
                for c in 0..<cin {
                    for f in 0..<cout {
                        values.append(Float(1000 * y + 100 * x + 10 * c + f) / 10000)
                    }
                }
            }
        }
        return try KernelWeights(shape: [kh, kw, cin, cout], values: values)
    }

    @Test func weightsAreReadInKerasOrder() throws {
        let kernel = try Self.positional(3, 2, 4, 5)
        #expect(kernel.weight(y: 2, x: 1, channel: 3, filter: 4) == Double(Float(2134) / 10000))
        #expect(
            kernel.plane(filter: 1, channel: 2)
                == [21, 121, 1021, 1121, 2021, 2121].map { Double(Float($0) / 10000) })
        let mean = kernel.reduced(filter: 0, by: .mean)
        #expect(abs(mean[0] - 0.0015) < 1e-6 && abs(mean[5] - (0.21 + 0.0015)) < 1e-6)
        let norm = kernel.reduced(filter: 0, by: .norm)
        #expect(
            abs(norm[0] - (0.0 + 0.001 * 0.001 + 0.002 * 0.002 + 0.003 * 0.003).squareRoot()) < 1e-7
        )
        #expect(throws: VisualizationError.self) {
            try KernelWeights(shape: [3, 3, 1], values: [Float](repeating: 0, count: 9))
        }
        #expect(throws: VisualizationError.self) {
            try KernelWeights(shape: [3, 3, 1, 2], values: [0])
        }
        #expect(throws: VisualizationError.self) {
            try KernelWeights(shape: [1 << 16, 1 << 16, 1 << 16, 1 << 16], values: [0])
        }
    }

    @Test func tileLayoutSize() throws {
        // 32 filters of 3x3x1: 8 per row, 48-unit tiles 10 apart, 16-unit labels, rows 8 apart,
        // a 20 + 64 colour bar and 16-unit margins, a 28-unit title.
        let figure = FilterFigure(weights: try Self.positional(3, 3, 1, 32), title: "t")
        let width: Double = 16 + 384 + 70 + 20 + 64 + 16  // 8 * 48 + 7 * 10
        let height: Double = 16 + 28 + 280 + 16  // 4 * (48 + 16 + 8) - 8
        #expect(figure.size == Size(width: width, height: height))
        #expect(figure.tileRect(filter: 9) == Rect(x: 16 + 58, y: 44 + 72, width: 48, height: 48))
        let canvas = try figure.render()
        let image = try canvas.image()
        #expect(image.width == 570 && image.height == 340)
        // A title wider than the grid widens the figure instead of being cut off.
        let long = FilterFigure(
            weights: try Self.positional(3, 3, 1, 2), title: String(repeating: "W", count: 60))
        #expect(long.size.width > 16 + 60 * 10 + 16)
    }

    @Test func matrixLayoutSize() throws {
        // 64 filters x 32 input channels of 3x3 at 4 units a weight, 2 apart; 28 units of row
        // labels and 16 of column labels.
        let figure = FilterFigure(weights: try Self.positional(3, 3, 32, 64), title: "t")
        #expect(figure.isMatrix)
        let width: Double = 16 + 28 + 446 + 20 + 64 + 16  // 446 = 32 * 14 - 2
        let height: Double = 16 + 28 + 16 + 894 + 16  // 894 = 64 * 14 - 2
        #expect(figure.size == Size(width: width, height: height))
        #expect(
            figure.tileRect(filter: 3, channel: 5)
                == Rect(x: 44 + 70, y: 60 + 42, width: 12, height: 12))
        let reduced = FilterFigure(
            weights: try Self.positional(3, 3, 32, 64), title: "t", reduction: .norm)
        let image = try figure.render().image()
        let tile = figure.tileRect(filter: 3, channel: 5)
        // The gap between tiles.
        #expect(image.rgb(Int(tile.maxX) + 1, Int(tile.center.y)) == [0xBB, 0xBB, 0xBB])
        let reducedHeight: Double = 16 + 28 + 568 + 16  // 8 * 72 - 8
        #expect(!reduced.isMatrix && reduced.size.height == reducedHeight)
    }

    /// Eight 3x3 filters of small weights, with the layer's largest magnitude +0.9 at (1, 2) of
    /// filter 5, -0.6 at (0, 0) of filter 7 and exact zeros at (2, 2) of filter 0.
    static func knownWeights() throws -> KernelWeights {
        var values = (0..<72).map { Float(($0 * 37) % 11 - 5) / 100 }
        func set(_ y: Int, _ x: Int, _ f: Int, _ v: Float) { values[(y * 3 + x) * 8 + f] = v }
        set(1, 2, 5, 0.9)
        set(0, 0, 7, -0.6)
        set(2, 2, 0, 0)
        return try KernelWeights(shape: [3, 3, 1, 8], values: values)
    }

    @Test func largestWeightIsTheDarkestRed() throws {
        let figure = FilterFigure(weights: try Self.knownWeights(), title: "conv1")
        let image = try figure.render().image()
        func centre(_ f: Int, _ y: Int, _ x: Int) -> [Int] {
            let cell = figure.cellRect(filter: f, y: y, x: x)
            return image.rgb(Int(cell.center.x), Int(cell.center.y))
        }
        #expect(centre(5, 1, 2) == [0x67, 0x00, 0x1F])
        let scale = figure.scale(forFilter: 0)
        #expect(scale.lower == -Double(Float(0.9)) && scale.upper == Double(Float(0.9)))
        #expect(centre(7, 0, 0) == rgb(scale.color(for: Double(Float(-0.6))).bytes))
        #expect(centre(0, 2, 2) == rgb(ColorMap.diverging.color(at: 0.5).bytes))
        // Per filter, filter 7's -0.6 is its own extreme: the darkest blue.
        let perFilter = FilterFigure(
            weights: try Self.knownWeights(), title: "conv1", scaling: .perFilter)
        let cell = perFilter.cellRect(filter: 7, y: 0, x: 0)
        #expect(
            try perFilter.render().image().rgb(Int(cell.center.x), Int(cell.center.y)) == [
                0x05, 0x30, 0x61,
            ])
    }

    @Test func svgCarriesTheTitleAndLabels() throws {
        let kernel = try KernelWeights(shape: [1, 1, 1, 2], values: [-1, 1])
        let figure = FilterFigure(weights: kernel, title: "conv")
        let svg = SVGDocument(try figure.render(format: .svg).encoded())
        #expect(svg.wellFormed)
        // "conv", the labels "0" and "1", the bar label "weight" and its ticks -1, -0.5, 0, 0.5, 1.
        let ticks = Ticks(lower: -1, upper: 1)
        let tickGlyphs = ticks.values.map { ticks.label($0).count }.reduce(0, +)
        #expect(svg.glyphCount == 4 + 2 + 6 + tickGlyphs)
    }

    @Test func manyInputChannelsKeepTheirLabelsApart() throws {
        // 6 filters x 200 input channels: three-digit channel numbers once ran together
        // ("110112114...") with every other one written.
        let count = 3 * 3 * 200 * 6
        let kernel = try KernelWeights(
            shape: [3, 3, 200, 6], values: (0..<count).map { Float($0 % 13) - 6 })
        let figure = FilterFigure(weights: kernel, title: "c")
        #expect(figure.isMatrix)
        let svg = SVGDocument(try figure.render(format: .svg).encoded())
        // The channel numbers: right of the word "filter" at the start of their line.
        let first = figure.tileRect(filter: 0, channel: 0)
        let closest = try #require(
            svg.closestGlyphsOnALine { x, y in x >= first.x && y < first.y })
        // Digits of the 8-unit label font advance 5.1 units.
        #expect(
            closest.distance >= 5, "glyphs \(closest.distance) apart at \(closest.x), \(closest.y)")
    }

    @Test func largeLayersFitACanvas() throws {
        // 512 filters x 512 input channels of 7x7 at 4 units a weight made a 15502x15434
        // canvas, which a PNG refuses.
        let shape = [7, 7, 512, 512]
        let kernel = try KernelWeights(
            shape: shape, values: [Float](repeating: 0.5, count: shape.reduce(1, *)))
        let figure = FilterFigure(weights: kernel, title: "c")
        #expect(figure.cellSize == 1)
        #expect(figure.size.width * figure.size.height <= Double(Canvas.maximumPixels))
        // The tutorial's conv2 keeps its 4-unit squares.
        let conv2 = try KernelWeights(
            shape: [3, 3, 32, 64], values: [Float](repeating: 0.5, count: 3 * 3 * 32 * 64))
        #expect(FilterFigure(weights: conv2, title: "c").cellSize == 4)
    }
}
