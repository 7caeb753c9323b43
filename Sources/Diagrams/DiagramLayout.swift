// DiagramLayout: where the two grids, their labels, the title and the formula go on the canvas.

import Convolution
import Drawing

/// Canvas positions for a diagram. Grids are parallelograms: the corner between cells at
/// (row `r`, column `c`) of a grid lies at `origin + c*u + r*v`. Slanted figures use an
/// oblique view (columns run up and right, rows down and right, as in Dumoulin & Visin's
/// figures); flat figures use `u = (cell, 0)`, `v = (0, cell)` with the grids side by side.
package struct DiagramLayout: Sendable {
    package let u, v, bottomOrigin, topOrigin: Point
    package let size: Size
    let titleAt, inputLabelAt, outputLabelAt: Point
    let formulaTop: Double
    let flat: Bool

    static let titleFont = Font(size: 15, bold: true)
    static let labelFont = Font(size: 13)
    static let formulaFont = Font(size: 13, family: "DejaVu Sans Mono")
    static let margin = 16.0

    init(geometry: DiagramGeometry, caption: DiagramCaption, cellSize cell: Double, flat: Bool) {
        self.flat = flat
        let u = flat ? Point(x: cell, y: 0) : Point(x: 0.82 * cell, y: -0.40 * cell)
        let v = flat ? Point(x: 0, y: cell) : Point(x: 0.58 * cell, y: 0.52 * cell)
        self.u = u
        self.v = v
        let bottom = geometry.bottom
        let output = geometry.output
        func corners(_ origin: Point, _ grid: AxisPair) -> [Point] {
            [
                origin, origin + u * Double(grid.columns), origin + v * Double(grid.rows),
                origin + u * Double(grid.columns) + v * Double(grid.rows),
            ]
        }
        let bottomBox =
            Rect.bounding(corners(Point(x: 0, y: 0), bottom))
            ?? Rect(x: 0, y: 0, width: 1, height: 1)
        let topSpan =
            Rect.bounding(corners(Point(x: 0, y: 0), output))
            ?? Rect(x: 0, y: 0, width: 1, height: 1)
        var top: Point
        if flat {
            top = Point(
                x: bottomBox.maxX + 2.5 * cell - topSpan.minX,
                y: bottomBox.center.y - topSpan.center.y)
        } else {
            let gap = 0.9 * cell
            top = Point(
                x: bottomBox.center.x - topSpan.center.x,
                y: bottomBox.minY - gap - topSpan.maxY)
        }
        let topBox = Rect.bounding(corners(top, output)) ?? topSpan
        let labelHeight = DiagramLayout.labelFont.size * 1.3
        var inputLabel: Point
        var outputLabel: Point
        if flat {
            inputLabel = Point(
                x: bottomBox.center.x, y: min(bottomBox.minY, topBox.minY) - 8 - labelHeight)
            outputLabel = Point(x: topBox.center.x, y: inputLabel.y)
        } else {
            inputLabel = Point(x: bottomBox.center.x, y: bottomBox.maxY + 8)
            outputLabel = Point(x: topBox.center.x, y: topBox.minY - 8 - labelHeight)
        }
        let labelWidths = [caption.inputLabel, caption.outputLabel].map {
            Canvas.measure($0, font: DiagramLayout.labelFont).width
        }
        var boxes = [
            bottomBox, topBox,
            Rect(
                x: inputLabel.x - labelWidths[0] / 2, y: inputLabel.y, width: labelWidths[0],
                height: labelHeight),
            Rect(
                x: outputLabel.x - labelWidths[1] / 2, y: outputLabel.y, width: labelWidths[1],
                height: labelHeight),
        ]
        let content =
            Rect.bounding(
                boxes.flatMap { [Point(x: $0.minX, y: $0.minY), Point(x: $0.maxX, y: $0.maxY)] })
            ?? bottomBox
        let titleSize = Canvas.measure(caption.title, font: DiagramLayout.titleFont)
        let formulaWidth =
            caption.formula.map { Canvas.measure($0, font: DiagramLayout.formulaFont).width }.max()
            ?? 0
        let lineHeight = DiagramLayout.formulaFont.size * 1.45
        let margin = DiagramLayout.margin
        let width = max(content.width, titleSize.width, formulaWidth) + 2 * margin
        let titleHeight = titleSize.height + 14
        // Move everything so the content is centred below the title.
        let shift = Point(
            x: (width - content.width) / 2 - content.minX, y: margin + titleHeight - content.minY)
        bottomOrigin = shift
        topOrigin = top + shift
        inputLabelAt = inputLabel + shift
        outputLabelAt = outputLabel + shift
        titleAt = Point(x: width / 2, y: margin)
        formulaTop = content.maxY + shift.y + 14
        size = Size(
            width: width.rounded(.up),
            height: (formulaTop + Double(caption.formula.count) * lineHeight + margin).rounded(.up))
        boxes.removeAll()
    }

    /// The canvas point of the corner at (`row`, `column`) of the bottom grid (fractions allowed).
    package func bottomPoint(row: Double, column: Double) -> Point {
        bottomOrigin + u * column + v * row
    }

    /// The canvas point of the corner at (`row`, `column`) of the output grid.
    package func topPoint(row: Double, column: Double) -> Point {
        topOrigin + u * column + v * row
    }

    /// The four corners of a cell, in drawing order.
    func quad(_ cell: GridCell, top: Bool) -> [Point] {
        let r = Double(cell.row)
        let c = Double(cell.column)
        let point = top ? topPoint : bottomPoint
        return [point(r, c), point(r, c + 1), point(r + 1, c + 1), point(r + 1, c)]
    }

    var lineHeight: Double { DiagramLayout.formulaFont.size * 1.45 }
}
