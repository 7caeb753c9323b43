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
}
