// DiagramFigure: draws one frame of a convolution-arithmetic diagram on a canvas.

import Drawing
import ImageIO

/// How a diagram looks.
public struct DiagramStyle: Sendable, Equatable {
    /// The colours.
    public var theme: DiagramTheme
    /// Draw both grids face-on, side by side, instead of as slanted planes.
    public var flat: Bool
    /// The side of a grid cell in canvas units.
    public var cellSize: Double

    /// The cell size of figures without numbers; numerical figures are drawn 1.4 times larger.
    public static let defaultCellSize = 36.0

    /// A style with each choice given or defaulted: classic colours, slanted planes.
    public init(
        theme: DiagramTheme = .classic, flat: Bool = false,
        cellSize: Double = DiagramStyle.defaultCellSize
    ) {
        self.theme = theme
        self.flat = flat
        self.cellSize = cellSize
    }
}

/// A diagram ready to draw: geometry, numbers, words and layout.
public struct DiagramFigure: Sendable {
    package let geometry: DiagramGeometry
    package let values: DiagramValues?
    /// The words under the figure: title, grid labels and the output-size formula.
    public let caption: DiagramCaption
    package let layout: DiagramLayout
    /// How the figure looks (numerical figures get 1.4 times the default cell size).
    public let style: DiagramStyle
    /// The font of the output numbers: the value font, made smaller when the widest number
    /// would not fit inside a cell (sums over large kernels run to four digits).
    let outputFont: Font

    /// Lays out the diagram of `parameters`.
    /// - Throws: ``DiagramError`` when the parameters make no diagram.
    public init(parameters: DiagramParameters, style: DiagramStyle = DiagramStyle())
        throws(DiagramError)
    {
        geometry = try DiagramGeometry(parameters)
        values = parameters.showValues ? DiagramValues(geometry: geometry) : nil
        caption = DiagramCaption(geometry: geometry)
        var style = style
        if values != nil, style.cellSize == DiagramStyle.defaultCellSize { style.cellSize *= 1.4 }
        layout = DiagramLayout(
            geometry: geometry, caption: caption, cellSize: style.cellSize, flat: style.flat)
        self.style = style
        let font = DiagramFigure.valueFont(style)
        // A slanted cell narrows above and below its centre line, so numbers keep to less of it.
        let room = style.cellSize * (style.flat ? 0.86 : 0.7)
        let widest =
            values?.output.map { Canvas.measure(DiagramValues.format($0), font: font).width }.max()
            ?? 0
        outputFont = widest > room ? Font(size: font.size * room / widest) : font
    }

    /// The canvas size every frame needs.
    public var size: Size { layout.size }

    /// Number of frames: one per output cell.
    public var frameCount: Int { geometry.frameCount }

    /// The centre of a bottom-grid cell on the canvas.
    package func bottomCenter(_ cell: GridCell) -> Point {
        layout.bottomPoint(row: Double(cell.row) + 0.5, column: Double(cell.column) + 0.5)
    }

    /// The centre of an output cell on the canvas.
    package func topCenter(_ cell: GridCell) -> Point {
        layout.topPoint(row: Double(cell.row) + 0.5, column: Double(cell.column) + 0.5)
    }

    /// A new canvas of the figure's size with frame `frame` (0-based) drawn on it.
    package func canvas(frame: Int, format: FigureFormat, scale: Double = 1) throws -> Canvas {
        guard (0..<frameCount).contains(frame) else {
            throw DiagramError.noSuchFrame(frame: frame + 1, count: frameCount)
        }
        let canvas = try Canvas(
            width: size.width, height: size.height, format: format, scale: scale,
            background: style.theme.background)
        draw(frame: frame, on: canvas)
        return canvas
    }

    /// Draws frame `frame` (0-based; the output cell in row order) on `canvas`.
    package func draw(frame: Int, on canvas: Canvas) {
        let theme = style.theme
        let current = geometry.outputCell(frame: frame)
        let footprint = geometry.footprint(of: current)
        let lineWidth = max(1, style.cellSize / 30)
        let dash = [style.cellSize / 9, style.cellSize / 12]

        canvas.text(
            caption.title, at: layout.titleAt, font: DiagramLayout.titleFont, theme.text,
            anchor: .top)

        // Dashed cells first, so the solid edges of input cells are drawn over shared dashes.
        let cells = geometry.bottomCells
        for (cell, kind) in cells where kind != .input {
            canvas.stroke(
                polygon: layout.quad(cell, top: false), theme.lines, lineWidth: lineWidth,
                dash: dash)
        }
        for (cell, kind) in cells where kind == .input {
            let quad = layout.quad(cell, top: false)
            canvas.fill(polygon: quad, theme.input)
            canvas.stroke(polygon: quad, theme.lines, lineWidth: lineWidth)
        }
        for cell in footprint {
            canvas.fill(polygon: layout.quad(cell, top: false), theme.shade)
        }
        // Connectors under the numbers: a line crossing a digit must not strike it through.
        drawConnectors(footprint: footprint, to: current, on: canvas, lineWidth: lineWidth * 0.7)
        if let values { drawBottomValues(values, footprint: footprint, on: canvas) }

        for row in 0..<geometry.output.rows {
            for column in 0..<geometry.output.columns {
                let cell = GridCell(row: row, column: column)
                let quad = layout.quad(cell, top: true)
                canvas.fill(polygon: quad, theme.output)
                if cell == current { canvas.fill(polygon: quad, theme.shade) }
                canvas.stroke(polygon: quad, theme.lines, lineWidth: lineWidth)
            }
        }
        if let values { drawOutputValues(values, upTo: frame, on: canvas) }

        canvas.text(
            caption.inputLabel, at: layout.inputLabelAt, font: DiagramLayout.labelFont, theme.text,
            anchor: .top)
        canvas.text(
            caption.outputLabel, at: layout.outputLabelAt, font: DiagramLayout.labelFont,
            theme.text, anchor: .top)
        for (index, line) in caption.formula.enumerated() {
            canvas.text(
                line,
                at: Point(
                    x: size.width / 2, y: layout.formulaTop + Double(index) * layout.lineHeight),
                font: DiagramLayout.formulaFont, theme.text, anchor: .top)
        }
    }

    /// Thin lines from the corners of the footprint's window to the corners of the output cell.
    private func drawConnectors(
        footprint: [GridCell], to cell: GridCell, on canvas: Canvas, lineWidth: Double
    ) {
        guard let first = footprint.first, let last = footprint.last else { return }
        let r0 = Double(first.row)
        let c0 = Double(first.column)
        let r1 = Double(last.row + 1)
        let c1 = Double(last.column + 1)
        let r = Double(cell.row)
        let c = Double(cell.column)
        if style.flat {
            // Face-on, the window's outline and two lines from its right side read best.
            let window = [
                layout.bottomPoint(row: r0, column: c0), layout.bottomPoint(row: r0, column: c1),
                layout.bottomPoint(row: r1, column: c1), layout.bottomPoint(row: r1, column: c0),
            ]
            canvas.stroke(polygon: window, style.theme.lines, lineWidth: lineWidth * 2.5)
            canvas.line(
                from: window[1], to: layout.topPoint(row: r, column: c),
                style.theme.lines.withAlpha(0.8), lineWidth: lineWidth)
            canvas.line(
                from: window[2], to: layout.topPoint(row: r + 1, column: c),
                style.theme.lines.withAlpha(0.8),
                lineWidth: lineWidth)
            return
        }
        let pairs = [
            (layout.bottomPoint(row: r0, column: c0), layout.topPoint(row: r, column: c)),
            (layout.bottomPoint(row: r0, column: c1), layout.topPoint(row: r, column: c + 1)),
            (layout.bottomPoint(row: r1, column: c0), layout.topPoint(row: r + 1, column: c)),
            (layout.bottomPoint(row: r1, column: c1), layout.topPoint(row: r + 1, column: c + 1)),
        ]
        for (from, to) in pairs {
            canvas.line(from: from, to: to, style.theme.lines.withAlpha(0.8), lineWidth: lineWidth)
        }
    }

    /// Numbers stay upright (a slanted digit is hard to read); each kernel weight is written
    /// small after the value it multiplies, as a subscript `×w`.
    private func drawBottomValues(_ values: DiagramValues, footprint: [GridCell], on canvas: Canvas)
    {
        let theme = style.theme
        let font = valueFont
        let small = Font(size: font.size * 0.62, bold: true)
        let shaded = Set(footprint)
        let weights = Dictionary(
            zip(footprint, values.kernel), uniquingKeysWith: { first, _ in first })
        for (cell, kind) in geometry.bottomCells {
            var fill = kind == .input ? theme.input : theme.background
            if shaded.contains(cell) { fill = theme.shade.over(fill) }
            let ink =
                kind == .input || shaded.contains(cell)
                ? fill.contrastingText : theme.text.withAlpha(0.45)
            let text = DiagramValues.format(values.bottomValue(cell, geometry: geometry))
            var center = bottomCenter(cell)
            guard let weight = weights[cell] else {
                canvas.text(text, at: center, font: font, ink, anchor: .center)
                continue
            }
            let subscriptText = "×" + DiagramValues.format(weight)
            let textWidth = canvas.measure(text, font: font).width
            let subscriptWidth = canvas.measure(subscriptText, font: small).width
            center.x -= subscriptWidth / 2
            canvas.text(text, at: center, font: font, ink, anchor: .center)
            canvas.text(
                subscriptText,
                at: Point(x: center.x + textWidth / 2 + 1, y: center.y + font.size * 0.45),
                font: small,
                ink, anchor: TextAnchor(.left, .baseline))
        }
    }

    private var valueFont: Font { DiagramFigure.valueFont(style) }

    private static func valueFont(_ style: DiagramStyle) -> Font {
        Font(size: style.cellSize * (style.flat ? 0.42 : 0.36))
    }

    private func drawOutputValues(_ values: DiagramValues, upTo frame: Int, on canvas: Canvas) {
        let theme = style.theme
        for index in 0...frame where index < values.output.count {
            let cell = geometry.outputCell(frame: index)
            let fill = index == frame ? theme.shade.over(theme.output) : theme.output
            canvas.text(
                DiagramValues.format(values.output[index]), at: topCenter(cell), font: outputFont,
                fill.contrastingText, anchor: .center)
        }
    }
}
