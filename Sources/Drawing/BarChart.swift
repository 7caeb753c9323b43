// BarChart: one bar per named category, with a value axis starting at zero.

/// A vertical bar chart.
public struct BarChart: LabelledChart, Sendable {
    /// The category of each bar, written under it.
    public var categories: [String]
    /// The height of each bar.
    public var values: [Double]
    /// The title, the category axis' label (x) and the value axis' label (y).
    public var labels: ChartLabels
    /// The bars' colour.
    public var color: Color
    /// Write each bar's value above it.
    public var showValues: Bool

    /// A chart of one bar per category.
    public init(
        categories: [String], values: [Double], title: String = "", xLabel: String = "",
        yLabel: String = "",
        color: Color = Color(hex: 0x268BD2), showValues: Bool = true
    ) {
        self.categories = categories
        self.values = values
        self.labels = ChartLabels(title: title, xLabel: xLabel, yLabel: yLabel)
        self.color = color
        self.showValues = showValues
    }

    /// The axes the chart draws: the value range always includes zero.
    package var axes: Axes {
        let finite = values.filter(\.isFinite)
        let range = Ticks.niceRange(
            lower: min(0, finite.min() ?? 0), upper: max(0, finite.max() ?? 1) * 1.08)
        return Axes(
            x: 0...Double(max(categories.count, 1)), y: range, labels: labels, numericX: false)
    }

    /// Draws the chart into `rect`.
    public func draw(on canvas: Canvas, in rect: Rect) {
        let axes = self.axes
        let area = axes.draw(on: canvas, in: rect)
        let slot = area.width / Double(max(categories.count, 1))
        let labelFont = Font(size: axes.font.size * 0.85)
        for (index, name) in categories.enumerated() {
            let center = area.x + slot * (Double(index) + 0.5)
            canvas.text(
                name, at: Point(x: center, y: area.maxY + 6), font: labelFont, Color(hex: 0x333333),
                anchor: .top)
            guard index < values.count, values[index].isFinite else { continue }
            let top = axes.point(x: 0, y: values[index], area: area).y
            let base = axes.point(x: 0, y: 0, area: area).y
            canvas.fill(
                Rect(
                    x: center - slot * 0.35, y: min(top, base), width: slot * 0.7,
                    height: abs(base - top)), color)
            if showValues {
                canvas.text(
                    Ticks.format(
                        values[index], step: values[index] == values[index].rounded() ? 1 : 0.01),
                    at: Point(x: center, y: min(top, base) - 2), font: labelFont,
                    Color(hex: 0x333333), anchor: .bottom)
            }
        }
    }
}
