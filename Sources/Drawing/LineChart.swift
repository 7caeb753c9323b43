// LineChart: one or more named series of (x, y) points on linear axes, with a legend.

/// A line chart.
public struct LineChart: LabelledChart, Sendable {
    /// One named line.
    public struct Series: Sendable {
        /// The name shown in the legend.
        public var name: String
        /// The points, joined in order; non-finite points are skipped.
        public var points: [Point]
        /// The line's colour.
        public var color: Color

        /// A series of `points` drawn in `color`, named `name` in the legend.
        public init(name: String, points: [Point], color: Color) {
            self.name = name
            self.points = points
            self.color = color
        }
    }

    /// The lines, drawn in order.
    public var series: [Series]
    /// The title and the labels of the two axes.
    public var labels: ChartLabels
    /// Whether x is a count (epochs): ticks and the axis range then stay on whole numbers.
    public var wholeNumberX: Bool

    /// A chart of `series`; the axes span every finite point.
    public init(
        series: [Series], title: String = "", xLabel: String = "", yLabel: String = "",
        wholeNumberX: Bool = false
    ) {
        self.series = series
        self.labels = ChartLabels(title: title, xLabel: xLabel, yLabel: yLabel)
        self.wholeNumberX = wholeNumberX
    }

    /// The axes the chart draws, spanning every finite point.
    package var axes: Axes {
        let points = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xs = points.map(\.x)
        let ys = points.map(\.y)
        let x = Ticks.niceRange(
            lower: xs.min() ?? 0, upper: xs.max() ?? 1, wholeNumbers: wholeNumberX)
        let y = Ticks.niceRange(lower: ys.min() ?? 0, upper: ys.max() ?? 1)
        return Axes(
            x: x, y: y, labels: labels, wholeNumberX: wholeNumberX)
    }

    /// Draws the chart into `rect`.
    public func draw(on canvas: Canvas, in rect: Rect) {
        let axes = self.axes
        let area = axes.draw(on: canvas, in: rect)
        for line in series {
            let points = line.points.filter { $0.x.isFinite && $0.y.isFinite }.map {
                axes.point(x: $0.x, y: $0.y, area: area)
            }
            canvas.stroke(polygon: points, line.color, lineWidth: 2, closed: false)
            for point in points { canvas.fill(circleAt: point, radius: 3, line.color) }
        }
        guard series.count > 1 else { return }
        let font = Font(size: axes.font.size * 0.85)
        var y = area.y + 8
        for line in series {
            let x = area.maxX - 8 - canvas.measure(line.name, font: font).width
            canvas.line(
                from: Point(x: x - 22, y: y), to: Point(x: x - 4, y: y), line.color, lineWidth: 2)
            canvas.text(
                line.name, at: Point(x: x, y: y), font: font, Color(hex: 0x333333), anchor: .left)
            y += font.size * 1.4
        }
    }
}
