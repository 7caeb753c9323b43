// ChartTests: ticks, heat-map cell colours and numbers, bar heights, image grids and colour bars,
// checked on rendered pixels and SVG output.

import ConvkitTestSupport
import ImageIO
import Testing

@testable import Drawing

struct ChartTests {
    @Test func epochAxesTickWholeNumbers() {
        // Three epochs: the plain rule would tick every half epoch; an epoch axis must not.
        #expect(Ticks(lower: 1, upper: 3).values.contains(1.5))
        #expect(Ticks(lower: 1, upper: 3, wholeNumbers: true).values == [1, 2, 3])
        #expect(Ticks.niceRange(lower: 1, upper: 1, wholeNumbers: true) == 0...2)
        let chart = LineChart(
            series: [
                .init(name: "a", points: [Point(x: 1, y: 0), Point(x: 2, y: 1)], color: .black)
            ],
            wholeNumberX: true)
        #expect(chart.axes.wholeNumberX)
    }

    @Test func niceTicks() {
        #expect(Ticks(lower: 0, upper: 1).values == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        let counts = Ticks(lower: 0, upper: 1000)
        #expect(counts.step == 200 && counts.label(400) == "400")
        #expect(Ticks(lower: -0.03, upper: 0.03).label(-0.02) == "-0.02")
        #expect(Ticks.niceRange(lower: 0.13, upper: 0.87) == 0.0...1.0)
        #expect(Ticks(lower: 1, upper: 1).values == [1])
        #expect(Ticks.format(-0.0, step: 0.2) == "0.0" && Ticks.format(-1e-17, step: 0.2) == "0.0")
        #expect(Ticks(lower: 0, upper: 0.8).label(Ticks(lower: 0, upper: 0.8).values[0]) == "0.0")
    }

    @Test func heatMapCellsTakeTheScaleColours() throws {
        let values: [Double] = [0, 5, 10, 2]
        let scale = ColorScale(map: .viridis, lower: 0, upper: 10)
        let map = HeatMap(values: values, rows: 2, columns: 2, scale: scale, decimals: nil)
        let canvas = try Canvas(width: 100, height: 100)
        let area = Rect(x: 0, y: 0, width: 100, height: 100)
        map.draw(on: canvas, in: area)
        let image = try canvas.image()
        for (index, value) in values.enumerated() {
            let cell = map.cellRect(row: index / 2, column: index % 2, in: area)
            #expect(
                image.rgba(Int(cell.center.x), Int(cell.center.y))
                    == scale.color(for: value).bytes.map(Int.init))
        }
    }

    @Test func heatMapRowTitleStaysLeftOfLongRowLabels() throws {
        // The same map with an inkless and an inked row title: the difference is the title's
        // ink, and it must lie left of every label's (long labels once ran over it).
        func ink(rowTitle: String) throws -> Image {
            let map = HeatMap(
                values: [1, 2], rows: 2, columns: 1, rowLabels: ["WWWWWWWWWWWW", "W"],
                columnLabels: ["a"], rowTitle: rowTitle, decimals: nil)
            let canvas = try Canvas(width: 500, height: 120)
            map.draw(on: canvas, in: Rect(x: 300, y: 0, width: 150, height: 120))
            return try canvas.image()
        }
        let labels = try ink(rowTitle: " ")
        let both = try ink(rowTitle: "true class")
        let white = [255, 255, 255, 255]
        var labelLeft = Int.max
        var titleRight = Int.min
        for y in 0..<120 {
            for x in 0..<500 {
                if labels.rgba(x, y) != white { labelLeft = min(labelLeft, x) }
                if both.rgba(x, y) != labels.rgba(x, y) { titleRight = max(titleRight, x) }
            }
        }
        #expect(titleRight > Int.min && labelLeft < Int.max)
        #expect(
            titleRight < labelLeft, "title ink up to x = \(titleRight), labels from \(labelLeft)")
    }

    @Test func longChartTitleStaysInsideTheChart() throws {
        // The probability chart's title names the predicted and the true class; long names
        // once cut it off at both sides of the 560-unit chart.
        let chart = BarChart(
            categories: ["0", "1"], values: [0.2, 0.8],
            title: "Class probabilities: predicted "
                + String(repeating: "klasse_00_très_", count: 6))
        let canvas = try Canvas(width: 560, height: 340)
        chart.draw(on: canvas, in: Rect(x: 8, y: 8, width: 544, height: 324))
        let image = try canvas.image()
        let white = [255, 255, 255, 255]
        // Nothing in the outer 6 units (the chart's half margin, less a unit of antialiasing).
        for y in 0..<30 {
            for x in Array(0..<6) + Array(554..<560) {
                #expect(image.rgba(x, y) == white, "title ink at x = \(x), y = \(y)")
            }
        }
        #expect((0..<30).contains { image.rgba(280, $0) != white })
    }

    @Test func heatMapThinsTheLabelsOfSmallCells() throws {
        // 60 columns in 300 units: two-digit labels 5 units apart would run together.
        let map = HeatMap(
            values: (0..<60).map(Double.init), rows: 1, columns: 60,
            columnLabels: (0..<60).map(String.init), decimals: nil)
        let canvas = try Canvas(width: 300, height: 60, format: .svg)
        let area = Rect(x: 0, y: 0, width: 300, height: 60)
        map.draw(on: canvas, in: area)
        let svg = SVGDocument(try canvas.encoded())
        #expect(svg.glyphCount >= 10)
        let closest = try #require(svg.closestGlyphsOnALine())
        #expect(closest.distance >= 5, "glyphs \(closest.distance) apart at \(closest.x)")
    }

    @Test func crowdedBarChartThinsItsLabels() throws {
        // 100 classes in the report's 560-unit chart: every written label and value keeps
        // clear of its neighbours on the same line (glyphs of one line no closer than a
        // digit's advance, about 6.5 units), and labels are still written.
        let chart = BarChart(
            categories: (0..<100).map(String.init), values: (0..<100).map { Double($0 % 7) })
        let canvas = try Canvas(width: 560, height: 340, format: .svg)
        chart.draw(on: canvas, in: Rect(x: 8, y: 8, width: 544, height: 324))
        let svg = SVGDocument(try canvas.encoded())
        #expect(svg.glyphCount >= 10)
        let closest = try #require(svg.closestGlyphsOnALine())
        #expect(
            closest.distance >= 5, "glyphs \(closest.distance) apart at \(closest.x), \(closest.y)")
        #expect(Ticks.labelStep(widest: 6, slot: 50) == 1)
        #expect(Ticks.labelStep(widest: 13, slot: 5) == 4)
    }

    @Test func heatMapWritesNumbersInCells() throws {
        let map = HeatMap(
            values: [1, 22, 333, 4], rows: 2, columns: 2, rowLabels: ["a", "b"],
            columnLabels: ["c", "d"])
        let canvas = try Canvas(width: 200, height: 200, format: .svg)
        map.draw(on: canvas, in: Rect(x: 0, y: 0, width: 200, height: 200))
        let svg = SVGDocument(try canvas.encoded())
        #expect(svg.wellFormed)
        // 1+2+3+1 digits plus the four one-letter labels.
        #expect(svg.all("use").count == 11)
    }

    @Test func barHeightsFollowTheValues() throws {
        let chart = BarChart(categories: ["0", "1"], values: [10, 40], showValues: false)
        let canvas = try Canvas(width: 300, height: 200)
        let area = Rect(x: 0, y: 0, width: 300, height: 200)
        chart.draw(on: canvas, in: area)
        let image = try canvas.image()
        let plot = chart.axes.plotArea(in: area, canvas: canvas)
        let blue = Color(hex: 0x268BD2).bytes.map(Int.init)
        let secondBar = Int(plot.x + plot.width * 0.75)
        let tallTop = chart.axes.point(x: 0, y: 40, area: plot).y
        #expect(image.rgba(secondBar, Int(tallTop) + 2) == blue)
        #expect(image.rgba(secondBar, Int(tallTop) - 3) != blue)
        let firstBar = Int(plot.x + plot.width * 0.25)
        #expect(image.rgba(firstBar, Int(tallTop) + 2) != blue)
        #expect(image.rgba(firstBar, Int(plot.maxY) - 2) == blue)
    }

    @Test func lineChartDrawsEverySeries() throws {
        let chart = LineChart(
            series: [
                .init(
                    name: "train", points: [Point(x: 1, y: 0.5), Point(x: 2, y: 0.2)],
                    color: Color(hex: 0xFF0000)),
                .init(
                    name: "test", points: [Point(x: 1, y: 0.6), Point(x: 2, y: 0.3)],
                    color: Color(hex: 0x0000FF)),
            ], title: "loss", xLabel: "epoch")
        let canvas = try Canvas(width: 300, height: 200)
        let area = Rect(x: 0, y: 0, width: 300, height: 200)
        chart.draw(on: canvas, in: area)
        let image = try canvas.image()
        let plot = chart.axes.plotArea(in: area, canvas: canvas)
        let start = chart.axes.point(x: 1, y: 0.5, area: plot)
        #expect(image.rgba(Int(start.x), Int(start.y)) == [255, 0, 0, 255])
        let other = chart.axes.point(x: 2, y: 0.3, area: plot)
        #expect(image.rgba(Int(other.x), Int(other.y)) == [0, 0, 255, 255])
    }

    @Test func imageGridPlacesTilesAndLabels() throws {
        let white = try Image(width: 1, height: 1, channels: 1, samples: .uint8([255]))
        let black = try Image(width: 1, height: 1, channels: 1, samples: .uint8([0]))
        let grid = ImageGrid(
            tiles: [
                .init(image: black, label: "0"), .init(image: white, label: "1"),
                .init(image: black, label: "2"),
            ], columns: 2, tileSize: Size(width: 20, height: 20))
        #expect(grid.rows == 2)
        let size = grid.size
        let canvas = try Canvas(
            width: size.width, height: size.height, background: Color(hex: 0x808080))
        grid.draw(on: canvas)
        let image = try canvas.image()
        for (index, expected) in [0, 255, 0].enumerated() {
            let center = grid.imageRect(of: index).center
            #expect(
                image.rgba(Int(center.x), Int(center.y)) == [expected, expected, expected, 255])
        }
    }

    @Test func colorBarRunsFromHighToLow() throws {
        let scale = ColorScale(map: .diverging, lower: -1, upper: 1)
        let canvas = try Canvas(width: 60, height: 200)
        ColorBar(scale: scale).draw(on: canvas, in: Rect(x: 0, y: 0, width: 60, height: 200))
        let image = try canvas.image()
        // Row y of the 200-unit bar shows the value 1 - 2 (y + 0.5) / 200.
        for y in [2, 50, 100, 150, 197] {
            let value = 1 - 2 * (Double(y) + 0.5) / 200
            #expect(
                close(image.rgba(8, y), scale.color(for: value).bytes, tolerance: 8), "row \(y)")
        }
        #expect(image.rgba(8, 2)[0] > image.rgba(8, 2)[2])
        #expect(image.rgba(8, 197)[2] > image.rgba(8, 197)[0])
    }
}
