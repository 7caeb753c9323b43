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
            // The output plane floats above the input plane: as low as it can go with every
            // point at least `clearance` above the input plane's upper edge at the same x. (Above
            // the input's bounding box instead, a long strip such as a 64x1 input, slanting up
            // across the canvas, left a canvas of empty space between the two.)
            let clearance = 1.8 * cell
            let x = bottomBox.center.x - topSpan.center.x
            let lift = DiagramLayout.lift(
                of: DiagramLayout.outline(Point(x: x, y: 0), output, u, v),
                above: DiagramLayout.outline(Point(x: 0, y: 0), bottom, u, v))
            top = Point(x: x, y: -lift - clearance)
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

    /// The corners of a `grid` at `origin`, in order around it.
    static func outline(_ origin: Point, _ grid: AxisPair, _ u: Point, _ v: Point) -> [Point] {
        let across = u * Double(grid.columns)
        let down = v * Double(grid.rows)
        return [origin, origin + across, origin + across + down, origin + down]
    }

    /// How far `upper` (a convex polygon) must move up so that at every x both share, its
    /// lowest point is at or above `lower`'s highest. Both outlines are piecewise linear in x,
    /// so the largest overlap is at one of their corners' x.
    static func lift(of upper: [Point], above lower: [Point]) -> Double {
        let xs = upper.map(\.x) + lower.map(\.x)
        var most = -Double.infinity
        for x in xs {
            guard let top = verticalExtent(of: upper, at: x),
                let bottom = verticalExtent(of: lower, at: x)
            else { continue }
            most = max(most, top.bottom - bottom.top)
        }
        if most.isFinite { return most }
        // No common x: stack the bounding boxes.
        let upperBox = Rect.bounding(upper) ?? Rect(x: 0, y: 0, width: 0, height: 0)
        let lowerBox = Rect.bounding(lower) ?? upperBox
        return upperBox.maxY - lowerBox.minY
    }

    /// The highest and lowest y of a convex polygon at `x`, or `nil` if `x` is outside it.
    static func verticalExtent(of polygon: [Point], at x: Double) -> (top: Double, bottom: Double)?
    {
        var ys = [Double]()
        for (index, a) in polygon.enumerated() {
            let b = polygon[(index + 1) % polygon.count]
            guard min(a.x, b.x) <= x, x <= max(a.x, b.x) else { continue }
            if a.x == b.x {
                ys += [a.y, b.y]
            } else {
                ys.append(a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x))
            }
        }
        guard let top = ys.min(), let bottom = ys.max() else { return nil }
        return (top, bottom)
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
