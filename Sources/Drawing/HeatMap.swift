// HeatMap: a matrix drawn as coloured cells with optional numbers and row/column labels.

import Foundation

/// A heat map, such as a confusion matrix with counts in its cells.
public struct HeatMap: Sendable {
    /// `rows * columns` values, row by row.
    public var values: [Double]
    /// Number of rows of cells.
    public var rows: Int
    /// Number of columns of cells.
    public var columns: Int
    /// The colours the values map to.
    public var scale: ColorScale
    /// A label per row, written on the left; empty for none.
    public var rowLabels: [String] {
        didSet { rowLabelWidth = Self.widest(rowLabels, font: Self.labelFont) }
    }
    /// The widest row label's width, measured once: every cell's rectangle depends on it.
    private var rowLabelWidth: Double
    /// A label per column, written on top; empty for none.
    public var columnLabels: [String]
    /// Title of the row axis (left) and the column axis (top).
    public var rowTitle: String
    /// Title of the column axis (top).
    public var columnTitle: String
    /// Decimals of the numbers written in the cells; `nil` writes none.
    public var decimals: Int?

    /// A heat map of `values`; without a `scale`, viridis spanning the values.
    public init(
        values: [Double], rows: Int, columns: Int, scale: ColorScale? = nil,
        rowLabels: [String] = [],
        columnLabels: [String] = [], rowTitle: String = "", columnTitle: String = "",
        decimals: Int? = 0
    ) {
        self.values = values
        self.rows = rows
        self.columns = columns
        self.scale = scale ?? ColorScale(map: .viridis, fitting: values)
        self.rowLabels = rowLabels
        rowLabelWidth = Self.widest(rowLabels, font: Self.labelFont)
        self.columnLabels = columnLabels
        self.rowTitle = rowTitle
        self.columnTitle = columnTitle
        self.decimals = decimals
    }

    /// The rectangle of cell (`row`, `column`) when the map is drawn in `rect`.
    package func cellRect(row: Int, column: Int, in rect: Rect) -> Rect {
        let grid = gridArea(in: rect)
        let w = grid.width / Double(max(columns, 1))
        let h = grid.height / Double(max(rows, 1))
        return Rect(
            x: grid.x + Double(column) * w, y: grid.y + Double(row) * h, width: w, height: h)
    }

    private static let labelFont = Font(size: 11)
    private var labelFont: Font { Self.labelFont }

    /// The width of the widest of `texts` in `font` (0 for none).
    private static func widest(_ texts: [String], font: Font) -> Double {
        texts.map { Canvas.measure($0, font: font).width }.max() ?? 0
    }

    /// The cells' area in `rect`: left of it the row title, then the row labels (as wide as
    /// the widest, 4 units from the cells and from the title); above it the column title and
    /// labels.
    private func gridArea(in rect: Rect) -> Rect {
        let line = labelFont.size * 1.5
        let left = (rowTitle.isEmpty ? 0 : line) + (rowLabels.isEmpty ? 0 : rowLabelWidth + 8)
        let top = (columnTitle.isEmpty ? 0 : line) + (columnLabels.isEmpty ? 0 : line)
        return Rect(
            x: rect.x + left, y: rect.y + top, width: max(1, rect.width - left),
            height: max(1, rect.height - top))
    }

    /// Draws the cells, numbers and labels into `rect` (the colour bar is separate: ``ColorBar``).
    public func draw(on canvas: Canvas, in rect: Rect) {
        guard rows > 0, columns > 0, values.count == rows * columns else { return }
        let grid = gridArea(in: rect)
        let ink = Color(hex: 0x333333)
        let cellHeight = grid.height / Double(rows)
        let cellWidth = grid.width / Double(columns)
        let texts = values.map { value in decimals.map { String(format: "%.\($0)f", value) } ?? "" }
        // The numbers fit their cells: DejaVu Sans digits are about 0.64 em wide.
        let longest = Double(texts.map(\.count).max() ?? 1)
        let numberFont = Font(
            size: min(12, cellHeight * 0.38, cellWidth * 0.85 / max(longest * 0.64, 1)))
        for row in 0..<rows {
            for column in 0..<columns {
                let cell = cellRect(row: row, column: column, in: rect)
                let value = values[row * columns + column]
                let fill = scale.color(for: value)
                canvas.fill(cell, fill)
                if decimals != nil, value.isFinite {
                    canvas.text(
                        texts[row * columns + column], at: cell.center, font: numberFont,
                        fill.contrastingText,
                        anchor: .center)
                }
            }
        }
        canvas.stroke(grid, ink, lineWidth: 0.8)
        // Labels of small cells are thinned (``Ticks/labelStep(widest:slot:)``), as an axis
        // thins its ticks, rather than written over one another.
        let rowStep = Ticks.labelStep(
            widest: canvas.measure("0", font: labelFont).height, slot: cellHeight)
        let columnStep = Ticks.labelStep(
            widest: columnLabels.map { canvas.measure($0, font: labelFont).width }.max() ?? 0,
            slot: cellWidth)
        for (row, label) in rowLabels.prefix(rows).enumerated() where row % rowStep == 0 {
            let cell = cellRect(row: row, column: 0, in: rect)
            canvas.text(
                label, at: Point(x: cell.x - 4, y: cell.center.y), font: labelFont, ink,
                anchor: .right)
        }
        for (column, label) in columnLabels.prefix(columns).enumerated()
        where column % columnStep == 0 {
            let cell = cellRect(row: 0, column: column, in: rect)
            canvas.text(
                label, at: Point(x: cell.center.x, y: cell.y - 3), font: labelFont, ink,
                anchor: .bottom)
        }
        let bold = Font(size: labelFont.size, bold: true)
        if !columnTitle.isEmpty {
            canvas.text(
                columnTitle, at: Point(x: grid.center.x, y: rect.y), font: bold, ink, anchor: .top)
        }
        if !rowTitle.isEmpty {
            canvas.text(
                rowTitle, at: Point(x: rect.x, y: grid.center.y), font: bold, ink,
                anchor: TextAnchor(.center, .top), angle: -Double.pi / 2)
        }
    }
}
