// PatternFigure: the input pattern that maximises each filter or class, as a grid of tiles.

import Drawing
import Foundation

/// The result of an activation-maximisation run: one tile per unit, grey (0 black, 1 white, as
/// the model sees MNIST's white ink on black, with a colour bar of the input scale) or in
/// colour for a colour model, up to 8 per row, each labelled with the unit's index and the
/// activation it reaches.
package struct PatternFigure: Figure, Sendable {
    /// One input of `shape` per unit, values in 0...1.
    package var images: [[Float]]
    /// `[height, width, 1 or 3]`.
    package var shape: [Int]
    /// The unit (filter or class) each image maximises, shown under its tile.
    package var labels: [String]
    /// The activation each image reaches.
    package var activations: [Float]
    package var title: String

    /// Layout rules (canvas units).
    package static let tilesPerRow = 8, tileSide = 84.0, tileGap = 10.0, labelHeight = 16.0,
        rowGap = 8.0

    /// - Throws: ``VisualizationError/badData(_:)`` when the counts disagree or an image is not
    ///   grey or RGB values of `shape`.
    package init(
        images: [[Float]], shape: [Int], labels: [String], activations: [Float], title: String
    ) throws {
        guard !images.isEmpty, labels.count == images.count, activations.count == images.count
        else {
            throw VisualizationError.badData(
                "\(images.count) patterns, \(labels.count) labels and \(activations.count) activations do not match"
            )
        }
        for image in images { _ = try InputPicture.image(image, shape: shape) }
        (self.images, self.shape, self.labels) = (images, shape, labels)
        (self.activations, self.title) = (activations, title)
    }

    private var columns: Int { min(images.count, PatternFigure.tilesPerRow) }
    private var rows: Int { (images.count + columns - 1) / columns }
    private var stepX: Double { PatternFigure.tileSide + PatternFigure.tileGap }
    private var stepY: Double {
        PatternFigure.tileSide + PatternFigure.labelHeight + PatternFigure.rowGap
    }
    private var gridOrigin: Point {
        Point(x: FigureStyle.margin, y: FigureStyle.margin + FigureStyle.titleHeight)
    }
    private var gridSize: Size {
        Size(
            width: Double(columns) * stepX - PatternFigure.tileGap,
            height: Double(rows) * stepY - PatternFigure.rowGap)
    }

    package var size: Size {
        let grid = gridSize
        let width =
            gridOrigin.x + grid.width + FigureStyle.barGap + FigureStyle.barWidth
            + FigureStyle.margin
        return Size(
            width: max(
                width,
                2 * FigureStyle.margin
                    + FigureStyle.textWidth(title, font: FigureStyle.titleFont).rounded(.up)),
            height: gridOrigin.y + max(grid.height, FigureStyle.minimumBarHeight)
                + FigureStyle.margin)
    }

    /// Where the tile of pattern `index` is drawn.
    package func tileRect(_ index: Int) -> Rect {
        Rect(
            x: gridOrigin.x + Double(index % columns) * stepX,
            y: gridOrigin.y + Double(index / columns) * stepY, width: PatternFigure.tileSide,
            height: PatternFigure.tileSide)
    }

    package func draw(on canvas: Canvas) {
        let ink = FigureStyle.ink
        canvas.text(
            title, at: Point(x: FigureStyle.margin, y: FigureStyle.margin),
            font: FigureStyle.titleFont, ink)
        for (index, image) in images.enumerated() {
            let rect = tileRect(index).fitting(shape[1], shape[0])
            if let picture = try? InputPicture.image(image, shape: shape) {
                canvas.draw(picture, in: rect)
            }
            canvas.stroke(rect, FigureStyle.frame, lineWidth: 0.5)
            canvas.text(
                "\(labels[index]): \(PatternFigure.number(activations[index]))",
                at: Point(x: rect.center.x, y: rect.maxY + 2), font: FigureStyle.labelFont, ink,
                anchor: .top)
        }
        guard shape[2] == 1 else { return }
        let grid = gridSize
        ColorBar(scale: ColorScale(map: .grey, lower: 0, upper: 1), label: "input").draw(
            on: canvas,
            in: Rect(
                x: gridOrigin.x + grid.width + FigureStyle.barGap, y: gridOrigin.y,
                width: FigureStyle.barWidth,
                height: max(grid.height, FigureStyle.minimumBarHeight)))
    }

    /// An activation with three significant digits.
    package static func number(_ value: Float) -> String {
        let magnitude = abs(value)
        let decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3
        return String(format: "%.\(decimals)f", Double(value))
    }
}
