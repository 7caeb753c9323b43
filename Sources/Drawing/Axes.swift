// Axes: the frame, ticks, tick labels, axis titles and title that bar and line charts share.

/// A pair of linear axes laid out inside a rectangle.
package struct Axes: LabelledChart, Sendable {
    package var x: ClosedRange<Double>
    package var y: ClosedRange<Double>
    package var labels: ChartLabels
    /// Draw numeric ticks on the x axis (bar charts label their categories instead).
    package var numericX: Bool
    /// Only whole-number ticks on the x axis (counts such as epochs).
    package var wholeNumberX: Bool
    /// Only whole-number ticks on the y axis (counts such as misclassified images).
    package var wholeNumberY: Bool
    package var font: Font

    package init(
        x: ClosedRange<Double>, y: ClosedRange<Double>, labels: ChartLabels = ChartLabels(),
        numericX: Bool = true, wholeNumberX: Bool = false, wholeNumberY: Bool = false,
        font: Font = Font(size: 12)
    ) {
        self.x = x
        self.y = y
        self.labels = labels
        self.numericX = numericX
        self.wholeNumberX = wholeNumberX
        self.wholeNumberY = wholeNumberY
        self.font = font
    }

    private var tickFont: Font { Font(size: font.size * 0.85) }

    /// The plotting area inside `rect` once room is left for title, labels and ticks.
    package func plotArea(in rect: Rect, canvas: Canvas) -> Rect {
        let yTicks = Ticks(lower: y.lowerBound, upper: y.upperBound, wholeNumbers: wholeNumberY)
        let widest =
            yTicks.values.map { canvas.measure(yTicks.label($0), font: tickFont).width }.max() ?? 0
        let line = font.size * 1.3
        let left = widest + 10 + (yLabel.isEmpty ? 0 : line)
        let top = title.isEmpty ? font.size * 0.6 : line * 1.5
        let bottom = tickFont.size * 1.6 + (xLabel.isEmpty ? 0 : line) + 6
        return Rect(
            x: rect.x + left, y: rect.y + top, width: max(1, rect.width - left - font.size),
            height: max(1, rect.height - top - bottom))
    }

    /// Where the data point (`px`, `py`) lands in `area`.
    package func point(x px: Double, y py: Double, area: Rect) -> Point {
        let fx =
            x.upperBound > x.lowerBound ? (px - x.lowerBound) / (x.upperBound - x.lowerBound) : 0.5
        let fy =
            y.upperBound > y.lowerBound ? (py - y.lowerBound) / (y.upperBound - y.lowerBound) : 0.5
        return Point(x: area.x + fx * area.width, y: area.maxY - fy * area.height)
    }

    /// Draws grid lines, the frame, ticks and all labels; returns the plotting area.
    @discardableResult
    package func draw(on canvas: Canvas, in rect: Rect) -> Rect {
        let area = plotArea(in: rect, canvas: canvas)
        let grid = Color(hex: 0xDDDDDD)
        let ink = Color(hex: 0x333333)
        let yTicks = Ticks(lower: y.lowerBound, upper: y.upperBound, wholeNumbers: wholeNumberY)
        for value in yTicks.values {
            let p = point(x: x.lowerBound, y: value, area: area)
            canvas.line(
                from: Point(x: area.x, y: p.y), to: Point(x: area.maxX, y: p.y), grid,
                lineWidth: 0.8)
            canvas.line(from: Point(x: area.x - 4, y: p.y), to: Point(x: area.x, y: p.y), ink)
            canvas.text(
                yTicks.label(value), at: Point(x: area.x - 6, y: p.y), font: tickFont, ink,
                anchor: .right)
        }
        if numericX {
            let xTicks = Ticks(lower: x.lowerBound, upper: x.upperBound, wholeNumbers: wholeNumberX)
            for value in xTicks.values {
                let p = point(x: value, y: y.lowerBound, area: area)
                canvas.line(
                    from: Point(x: p.x, y: area.maxY), to: Point(x: p.x, y: area.maxY + 4), ink)
                canvas.text(
                    xTicks.label(value), at: Point(x: p.x, y: area.maxY + 6), font: tickFont, ink,
                    anchor: .top)
            }
        }
        canvas.stroke(area, ink, lineWidth: 1)
        if !title.isEmpty {
            // A title wider than the chart (a long class name in it) is set smaller to fit,
            // and centred over the plot only as far as it stays inside the chart.
            var titleFont = Font(size: font.size * 1.15, bold: true)
            let width = canvas.measure(title, font: titleFont).width
            if width > rect.width {
                titleFont = Font(size: titleFont.size * rect.width / width * 0.98, bold: true)
            }
            let half = min(width, rect.width) / 2
            let x = min(max(area.center.x, rect.x + half), rect.maxX - half)
            canvas.text(title, at: Point(x: x, y: rect.y + 2), font: titleFont, ink, anchor: .top)
        }
        if !xLabel.isEmpty {
            canvas.text(
                xLabel, at: Point(x: area.center.x, y: rect.maxY - 2), font: font, ink,
                anchor: .bottom)
        }
        if !yLabel.isEmpty {
            canvas.text(
                yLabel, at: Point(x: rect.x + 2, y: area.center.y), font: font, ink,
                anchor: TextAnchor(.center, .top), angle: -Double.pi / 2)
        }
        return area
    }
}
