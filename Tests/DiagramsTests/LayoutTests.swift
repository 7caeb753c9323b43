// LayoutTests: where the grids go on the canvas: the output plane floats just above the input
// plane, whatever the grids' shapes, with no canvas of empty space between them.

import Convolution
import Drawing
import Testing

@testable import Diagrams

struct LayoutTests {
    /// A 1-D convolution over a long strip: the output strip, as long as the input strip and
    /// parallel to it, lies a couple of cells above it along its whole length.
    @Test(arguments: [8, 24, 64])
    func aLongStripsOutputLiesJustAboveIt(length: Int) throws {
        let figure = try DiagramFigure(
            parameters: DiagramParameters(
                input: AxisPair(rows: 1, columns: length), kernel: AxisPair(1)))
        let cell = figure.style.cellSize
        let u = figure.layout.u
        for column in 0...length {
            // The output strip's lower edge, and the input strip's upper edge at the same x.
            let output = figure.layout.topPoint(row: 1, column: Double(column))
            let input = figure.layout.bottomPoint(row: 0, column: Double(column))
            let inputY = input.y + (output.x - input.x) * u.y / u.x
            let gap = inputY - output.y
            #expect(gap >= cell && gap <= 2 * cell, "column \(column): \(gap / cell) cells")
        }
        #expect(figure.size.height < Double(length) * 0.4 * cell + 8 * cell)
    }

    /// However the grids are shaped, no point of the output plane is below the input plane's
    /// upper edge (the planes never overlap on the canvas).
    @Test(arguments: [(5, 5), (9, 3), (3, 9), (12, 1), (1, 12)])
    func theOutputPlaneNeverOverlapsTheInputPlane(columns: Int, rows: Int) throws {
        let figure = try DiagramFigure(
            parameters: DiagramParameters(
                input: AxisPair(rows: rows, columns: columns), kernel: AxisPair(1),
                padding: Padding(all: 1)))
        let layout = figure.layout
        let geometry = figure.geometry
        // Sample the output plane's lower edges and the input plane's upper edges finely.
        let steps = 400
        func samples(_ point: (Double, Double) -> Point, rows: Int, columns: Int, lower: Bool)
            -> [Point]
        {
            (0...steps).flatMap { step -> [Point] in
                let t = Double(step) / Double(steps)
                return lower
                    ? [point(Double(rows), t * Double(columns)), point(t * Double(rows), 0)]
                    : [point(0, t * Double(columns)), point(t * Double(rows), Double(columns))]
            }
        }
        let outputLow = samples(
            { layout.topPoint(row: $0, column: $1) }, rows: geometry.output.rows,
            columns: geometry.output.columns, lower: true)
        let inputHigh = samples(
            { layout.bottomPoint(row: $0, column: $1) }, rows: geometry.bottom.rows,
            columns: geometry.bottom.columns, lower: false)
        for high in inputHigh {
            for low in outputLow where abs(low.x - high.x) < 0.5 {
                #expect(low.y < high.y, "output point \(low) is below input point \(high)")
            }
        }
    }

    /// Output numbers stay inside their cells, slanted or flat, however many digits the sums
    /// over a large kernel have (a 40x40 kernel sums to four digits).
    @Test(arguments: [false, true])
    func outputNumbersFitTheirCells(flat: Bool) throws {
        let figure = try DiagramFigure(
            parameters: DiagramParameters(
                input: AxisPair(41), kernel: AxisPair(40), showValues: true),
            style: DiagramStyle(flat: flat))
        let values = try #require(figure.values)
        #expect(values.output.contains { $0 >= 1000 })
        for frame in 0..<figure.frameCount {
            let cell = figure.geometry.outputCell(frame: frame)
            let text = DiagramValues.format(values.output[frame])
            let width = Canvas.measure(text, font: figure.outputFont).width
            let height = figure.outputFont.size * 0.75  // digits' height
            let center = figure.topCenter(cell)
            let quad = figure.layout.quad(cell, top: true)
            for (dx, dy) in [(-1.0, -1.0), (1, -1), (1, 1), (-1, 1)] {
                let corner = Point(x: center.x + dx * width / 2, y: center.y + dy * height / 2)
                #expect(Self.inside(corner, quad), "'\(text)' leaves its cell at \(corner)")
            }
        }
    }

    /// Whether `point` is inside the convex polygon `quad` (either winding).
    private static func inside(_ point: Point, _ quad: [Point]) -> Bool {
        let sides = quad.indices.map { index -> Double in
            let a = quad[index]
            let b = quad[(index + 1) % quad.count]
            return (b.x - a.x) * (point.y - a.y) - (b.y - a.y) * (point.x - a.x)
        }
        return sides.allSatisfy { $0 >= 0 } || sides.allSatisfy { $0 <= 0 }
    }
}
