// ConfusionFigure: the confusion matrix as a heat map with the count written in every cell that can hold it.

import Drawing
import Foundation

/// A confusion matrix drawn as square cells with their counts (where a cell is large enough to
/// read them). Cells are coloured by
/// `log10(1 + count)` on viridis, so the few errors off the diagonal stand out from zero while
/// the diagonal's thousands stay the brightest; the colour bar is labelled in counts.
package struct ConfusionFigure: Figure, Sendable {
    package var matrix: ConfusionMatrix
    package var title: String
    /// The side of one cell.
    package var cellSide: Double

    /// A figure of `matrix` with cells of `cellSide` units (by default
    /// ``cellSide(classes:)``).
    package init(matrix: ConfusionMatrix, title: String, cellSide: Double? = nil) {
        self.matrix = matrix
        self.title = title
        self.cellSide = cellSide ?? Self.cellSide(classes: matrix.classes)
    }

    /// The default cell side: 44 units, less beyond 100 classes so that the matrix stays 4400
    /// units square (a PNG well within a canvas' pixel limit), and at least 4.
    package static func cellSide(classes: Int) -> Double {
        max(4, min(44, 4400 / Double(max(classes, 1))))
    }

    /// The counts' font: 0.3 of a cell, at most 12 units; nil where that would be too small to
    /// read (below 5 units, cells under 17 units), and the colours and the CSV tell the counts.
    private var countFont: Font? {
        let size = min(12, cellSide * 0.3)
        return size >= 5 ? Font(size: size) : nil
    }

    /// Column labels are the class names when they are short, else the class indices.
    private var columnLabels: [String] { ClassLabels.axis(matrix.classNames) }
    /// Row labels are the class names, with the index that labels their column when that is
    /// not the name.
    private var rowLabels: [String] {
        zip(matrix.classNames, columnLabels).map { $0 == $1 ? $0 : "\($0) \($1)" }
    }

    /// The cell colours' scale: `log10(1 + count)` from 0 to the largest count.
    package var scale: ColorScale {
        ColorScale(
            map: .viridis, lower: 0,
            upper: max(log10(1 + Double(matrix.counts.joined().max() ?? 0)), 1))
    }

    private var heatMap: HeatMap {
        HeatMap(
            values: matrix.counts.joined().map { log10(1 + Double($0)) }, rows: matrix.classes,
            columns: matrix.classes,
            scale: scale, rowLabels: rowLabels, columnLabels: columnLabels, rowTitle: "true class",
            columnTitle: "predicted class", decimals: nil)
    }

    /// The heat map's rectangle: its own label margins plus square cells.
    private func heatMapRect(_ heatMap: HeatMap) -> Rect {
        let probe = heatMap.cellRect(
            row: 0, column: 0, in: Rect(x: 0, y: 0, width: 1000, height: 1000))
        let side = Double(matrix.classes) * cellSide
        return Rect(
            x: FigureStyle.margin, y: FigureStyle.margin + FigureStyle.titleHeight,
            width: probe.x + side, height: probe.y + side)
    }

    /// The heat map, the colour bar and its labels, or the title if it is wider.
    package var size: Size {
        let rect = heatMapRect(heatMap)
        return Size(
            width: max(
                rect.maxX + FigureStyle.barGap + FigureStyle.barWidth,
                FigureStyle.margin + FigureStyle.textWidth(title, font: FigureStyle.titleFont))
                + FigureStyle.margin,
            height: rect.maxY + FigureStyle.margin)
    }

    /// Where cell (`trueClass`, `predicted`) is drawn.
    package func cellRect(trueClass: Int, predicted: Int) -> Rect {
        let heatMap = self.heatMap
        return heatMap.cellRect(row: trueClass, column: predicted, in: heatMapRect(heatMap))
    }

    package func draw(on canvas: Canvas) {
        canvas.text(
            title, at: Point(x: FigureStyle.margin, y: FigureStyle.margin),
            font: FigureStyle.titleFont, FigureStyle.ink)
        let heatMap = self.heatMap
        let rect = heatMapRect(heatMap)
        heatMap.draw(on: canvas, in: rect)
        let scale = self.scale
        if let font = countFont {
            for row in 0..<matrix.classes {
                for column in 0..<matrix.classes {
                    let count = matrix.counts[row][column]
                    let cell = heatMap.cellRect(row: row, column: column, in: rect)
                    let text = count == 0 ? "·" : String(count)
                    canvas.text(
                        text, at: cell.center,
                        font: row == column ? Font(size: font.size, bold: true) : font,
                        scale.color(for: log10(1 + Double(count))).contrastingText,
                        anchor: .center)
                }
            }
        }
        let top = heatMap.cellRect(row: 0, column: 0, in: rect).y
        LogCountBar(scale: scale, label: "count").draw(
            on: canvas,
            in: Rect(
                x: rect.maxX + FigureStyle.barGap, y: top, width: FigureStyle.barWidth,
                height: rect.maxY - top))
    }
}

/// A colour bar for a scale over `log10(1 + count)`, with its ticks at counts 0, 1, 10, 100, ...
struct LogCountBar {
    var scale: ColorScale
    var label: String

    func draw(on canvas: Canvas, in rect: Rect) {
        var ticks: [(value: Double, label: String)] = []
        var count = 0.0
        while log10(1 + count) <= scale.upper + 1e-9 {
            ticks.append((log10(1 + count), String(Int(count))))
            count = count == 0 ? 1 : count * 10
        }
        ColorBar(scale: scale, label: label, ticks: ticks).draw(on: canvas, in: rect)
    }
}
