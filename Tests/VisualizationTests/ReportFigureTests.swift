// ReportFigureTests: the confusion matrix and its figure, the errors chart, the misclassified grid,
// the training curves and the training log, from plain data.

import ConvkitTestSupport
import Drawing
import Foundation
import ImageIO
import LearnedFilters
import Testing

@testable import Visualization

struct ReportFigureTests {
    static let names = ["0", "1", "2"]
    // true:      0  0  0  1  1  2  2  2  2
    // predicted: 0  2  0  1  1  2  0  2  2
    static let labels = [0, 0, 0, 1, 1, 2, 2, 2, 2]
    static let predictions = [0, 2, 0, 1, 1, 2, 0, 2, 2]

    @Test func confusionMatrixCounts() throws {
        let matrix = try ConfusionMatrix(
            labels: Self.labels, predictions: Self.predictions, classNames: Self.names)
        #expect(matrix.counts == [[2, 0, 1], [0, 2, 0], [1, 0, 3]])
        #expect(matrix.total == 9 && matrix.correct == 7)
        #expect(matrix.errorsPerClass == [1, 0, 1])
        #expect(matrix.csv == "true\\predicted,0,1,2\n0,2,0,1\n1,0,2,0\n2,1,0,3\n")
        #expect(throws: VisualizationError.self) {
            try ConfusionMatrix(labels: [0, 3], predictions: [0, 0], classNames: Self.names)
        }
        #expect(throws: VisualizationError.self) {
            try ConfusionMatrix(labels: [0], predictions: [0, 0], classNames: Self.names)
        }
        let quoted = try ConfusionMatrix(counts: [[1, 0], [0, 1]], classNames: ["a,b", "c"])
        #expect(quoted.csv.hasPrefix("true\\predicted,\"a,b\",c\n\"a,b\",1,0\n"))
        // A class folder's name may hold a quote or a line break: each field stays one field,
        // as RFC 4180 quotes it (Python's csv module reads back the two names).
        let broken = try ConfusionMatrix(
            counts: [[1, 0], [0, 1]], classNames: ["two\nlines", "say \"hi\""])
        #expect(
            broken.csv
                == "true\\predicted,\"two\nlines\",\"say \"\"hi\"\"\"\n\"two\nlines\",1,0\n\"say \"\"hi\"\"\",0,1\n"
        )
    }

    @Test func confusionCellsAreSquareAndColouredByLogCount() throws {
        let matrix = try ConfusionMatrix(
            counts: [[980, 0, 3], [0, 1135, 0], [7, 0, 1020]], classNames: Self.names)
        let figure = ConfusionFigure(matrix: matrix, title: "Confusion")
        let last = figure.cellRect(trueClass: 2, predicted: 2)
        #expect(last.width == 44 && last.height == 44)
        #expect(
            figure.size.width == last.maxX + 20 + 64 + 16 && figure.size.height == last.maxY + 16)
        let image = try figure.render().image()
        func corner(_ row: Int, _ column: Int) -> [Int] {
            let cell = figure.cellRect(trueClass: row, predicted: column)
            return image.rgb(Int(cell.x) + 4, Int(cell.y) + 4)
        }
        #expect(corner(0, 1) == [0x44, 0x01, 0x54])  // zero: viridis' first colour
        #expect(corner(1, 1) == [0xFD, 0xE7, 0x25])  // the largest count: viridis' last
        #expect(corner(2, 0) == rgb(ColorMap.viridis.color(at: log10(8) / log10(1136)).bytes))
        // The counts are written in the cells: 3+1+4 digits on the first row and so on, the
        // zeros as one dot each, and the labels, titles and colour-bar ticks.
        let svg = SVGDocument(try figure.render(format: .svg).encoded())
        let cellGlyphs = matrix.counts.joined().map { $0 == 0 ? 1 : String($0).count }.reduce(0, +)
        // cairo places a glyph for every character, spaces included.
        let labelGlyphs = 3 + 3 + "true class".count + "predicted class".count + "Confusion".count
        let barGlyphs =
            "count".count + "0".count + "1".count + "10".count + "100".count + "1000".count
        #expect(svg.glyphCount == cellGlyphs + labelGlyphs + barGlyphs)
    }

    @Test func confusionFigureIsAsWideAsItsTitle() throws {
        // Two classes make a narrow matrix; the title once ran off the figure's right edge.
        let title = "Confusion matrix on 24 test images"
        let figure = ConfusionFigure(
            matrix: try ConfusionMatrix(
                counts: [[11, 0], [0, 13]], classNames: ["hund", "katze"]),
            title: title)
        let titleWidth = Canvas.measure(title, font: Font(size: 15, bold: true)).width
        #expect(figure.size.width >= 16 + titleWidth + 16)
    }

    @Test func confusionFigureOfManyClassesFitsACanvas() throws {
        // 300 classes at 44 units a cell made a 13393x13293 canvas, which a PNG refuses, so
        // the whole report failed.
        let classes = 300
        let counts = (0..<classes).map { row in (0..<classes).map { $0 == row ? 9 : 0 } }
        let figure = ConfusionFigure(
            matrix: try ConfusionMatrix(
                counts: counts, classNames: (0..<classes).map { "k\($0)" }),
            title: "Confusion")
        #expect(figure.cellSide == 4400.0 / 300)
        let image = try figure.render().image()
        #expect(image.width < 5000 && image.height < 5000)
        // The diagonal keeps its colour: the largest count, viridis' last.
        let cell = figure.cellRect(trueClass: 299, predicted: 299)
        #expect(image.rgb(Int(cell.center.x), Int(cell.center.y)) == [0xFD, 0xE7, 0x25])
    }

    @Test func longClassNamesAreLabelledByIndex() {
        // Names cut to three letters would all read "kla".
        #expect(ClassLabels.axis(["klasse_a", "klasse_b", "x"]) == ["0", "1", "2"])
        #expect(ClassLabels.axis(["cat", "dog"]) == ["cat", "dog"])
    }

    @Test func errorsChartHasOneBarPerClass() throws {
        let matrix = try ConfusionMatrix(
            labels: Self.labels, predictions: Self.predictions, classNames: Self.names)
        let figure = ErrorsFigure(matrix: matrix)
        #expect(figure.chart.values == [1, 0, 1])
        // Counts of images: no tick at half an image (the ticks the axes draw).
        let axes = figure.chart.axes
        let ticks = Ticks(
            lower: axes.y.lowerBound, upper: axes.y.upperBound, wholeNumbers: axes.wholeNumberY)
        #expect(ticks.values.allSatisfy { $0 == $0.rounded() })
        #expect(axes.y.upperBound == axes.y.upperBound.rounded())
        #expect(figure.chart.title.contains("2 of 9"))
        let image = try figure.render().image()
        #expect(image.width == 560 && image.height == 340)
        let canvas = try Canvas(width: 560, height: 340)
        let plot = figure.chart.axes.plotArea(in: figure.chartRect, canvas: canvas)
        let red = rgb(Color(hex: 0xB2182B).bytes)
        let slot = plot.width / 3
        #expect(image.rgb(Int(plot.x + slot * 0.5), Int(plot.maxY) - 3) == red)
        #expect(image.rgb(Int(plot.x + slot * 1.5), Int(plot.maxY) - 3) != red)
    }

    @Test func misclassifiedGridListsOnlyMisclassified() throws {
        let side = 4
        let count = 120
        let labels = (0..<count).map { $0 % 3 }
        let predictions = (0..<count).map { $0 % 7 == 0 ? ($0 + 1) % 3 : $0 % 3 }
        let images = (0..<count * side * side).map { Float($0 % 17) / 16 }
        let figure = try MisclassifiedFigure(
            images: images, side: side, labels: labels, predictions: predictions,
            classNames: Self.names)
        let expected = stride(from: 0, to: count, by: 7).map { $0 }
        #expect(figure.totalMisclassified == expected.count)
        #expect(figure.indices == Array(expected.prefix(49)))
        #expect(figure.indices.allSatisfy { labels[$0] != predictions[$0] })
        #expect(figure.label(1) == "\(predictions[7]) (true: \(labels[7]))")
        // 7 columns of 56-unit tiles 16 apart, a 24-unit title, 15-unit labels.
        let height: Double = 24 + 261 + 16 + 8  // 3 * (56 + 15 + 16)
        #expect(figure.size == Size(width: 520, height: height))  // 7 * (56 + 16) + 16
        let image = try figure.render().image()
        // The second tile shows sample 7 enlarged 14x: its pixel (2, 1) is grey level
        // ((7 * 16 + 1 * 4 + 2) % 17) / 16.
        let rect = figure.tileRect(1)
        let level = min(255, Int(Double((7 * 16 + 4 + 2) % 17) / 16 * 256))
        let pixel = image.rgb(Int(rect.x + 2.5 * 14), Int(rect.y + 1.5 * 14))
        #expect(abs(pixel[0] - level) <= 1 && pixel[0] == pixel[1] && pixel[1] == pixel[2])
    }

    /// Images keep their proportions in the grid, each centred in its tile, and long class
    /// names widen the columns instead of the images.
    @Test func misclassifiedImagesKeepTheirProportions() throws {
        let names = ["circle", "square", "triangle"]
        for (width, height) in [(4, 4), (32, 12), (6, 15)] {
            let images = [Float](repeating: 0.5, count: 2 * width * height)
            let figure = try MisclassifiedFigure(
                images: images, shape: [height, width, 1], labels: [0, 1], predictions: [1, 2],
                classNames: names)
            let rect = figure.tileRect(1)
            #expect(
                abs(rect.width / rect.height - Double(width) / Double(height)) < 1e-9,
                "\(width)x\(height): \(rect)")
            #expect(max(rect.width, rect.height) > 50, "\(width)x\(height): \(rect)")
            // Columns are as wide as the labels, which would overlap in 56-unit columns.
            let label = Canvas.measure(figure.label(0), font: Font(size: 10)).width
            #expect(label > 56 && rect.center.x - figure.tileRect(0).center.x > label)
        }
    }

    @Test func curvesFollowTheLog() throws {
        let records = (1...3).map {
            EpochRecord(
                epoch: $0, loss: 1 / Double($0), accuracy: 0.9 + 0.02 * Double($0),
                testLoss: 0.8 / Double($0), testAccuracy: 0.92 + 0.01 * Double($0), seconds: 30)
        }
        let loss = CurvesFigure(records: records, measure: .loss)
        #expect(loss.chart.series.map(\.points.count) == [3, 3])
        #expect(loss.chart.series[1].points[2] == Point(x: 3, y: 0.8 / 3))
        let accuracy = CurvesFigure(records: records, measure: .accuracy)
        #expect(accuracy.chart.series[0].points[0] == Point(x: 1, y: 0.92))
        let image = try loss.render().image()
        let canvas = try Canvas(width: 560, height: 340)
        let area = loss.chart.axes.plotArea(in: loss.chartRect, canvas: canvas)
        let point = loss.chart.axes.point(x: 2, y: 0.4, area: area)
        #expect(image.rgb(Int(point.x), Int(point.y)) == rgb(CurvesFigure.testColor.bytes))
    }

    @Test func trainingLogIsReadAndBadLinesNamed() throws {
        let folder = try temporaryFolder("vis")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let good = folder + "/m.log.csv"
        let record = EpochRecord(
            epoch: 1, loss: 0.5, accuracy: 0.8, testLoss: 0.4, testAccuracy: 0.85, seconds: 12.5)
        try FileAccess.writeAtomically(
            Array((EpochRecord.csvHeader + "\n" + record.csvLine + "\n").utf8), to: good)
        #expect(try TrainingLog.read(path: good) == [record])
        // The same log saved by a Windows spreadsheet: a byte-order mark and CRLF line ends.
        let windows = folder + "/windows.log.csv"
        try FileAccess.writeAtomically(
            Array(("\u{FEFF}" + EpochRecord.csvHeader + "\r\n" + record.csvLine + "\r\n").utf8),
            to: windows)
        #expect(try TrainingLog.read(path: windows) == [record])
        let bad = folder + "/bad.log.csv"
        try FileAccess.writeAtomically(
            Array((EpochRecord.csvHeader + "\n" + record.csvLine + "\n2,x\n").utf8), to: bad)
        #expect(
            throws: VisualizationError.badLog(
                path: bad, line: 3, detail: "expected 6 numbers, got '2,x'")
        ) {
            try TrainingLog.read(path: bad)
        }
        try FileAccess.writeAtomically(Array("epoch,loss\n".utf8), to: bad)
        #expect(throws: VisualizationError.self) { try TrainingLog.read(path: bad) }
    }

    @Test func pageShowsEveryFigureAndEscapesText() throws {
        let matrix = try ConfusionMatrix(
            labels: Self.labels, predictions: Self.predictions, classNames: Self.names)
        let page = ReportPage(
            title: "report: <m&m>.safetensors", headline: [("accuracy", "77.78%")],
            figures: [
                .init(file: "confusion.png", caption: "a"),
                .init(file: "my figure.png", caption: "b \"q\""),
            ],
            downloads: [.init(file: "confusion.csv", caption: "c")], matrix: matrix, records: [])
        let html = page.html
        #expect(html.contains("<title>report: &lt;m&amp;m&gt;.safetensors</title>"))
        #expect(html.contains("<img src=\"confusion.png\""))
        #expect(html.contains("<img src=\"my%20figure.png\" alt=\"b &quot;q&quot;\">"))
        #expect(html.contains("<a href=\"confusion.csv\">"))
        #expect(html.contains("<tr><td>2</td><td>4</td><td>1</td><td>75.00%</td></tr>"))
        #expect(!html.contains("Training log"))
    }
}
