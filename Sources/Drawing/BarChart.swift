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
    /// The values are counts: the value axis ticks whole numbers only.
    public var wholeNumbers: Bool

    /// A chart of one bar per category.
    public init(
        categories: [String], values: [Double], title: String = "", xLabel: String = "",
        yLabel: String = "",
        color: Color = Color(hex: 0x268BD2), showValues: Bool = true, wholeNumbers: Bool = false
    ) {
        self.categories = categories
        self.values = values
        self.labels = ChartLabels(title: title, xLabel: xLabel, yLabel: yLabel)
        self.color = color
        self.showValues = showValues
        self.wholeNumbers = wholeNumbers
    }

    /// The axes the chart draws: the value range always includes zero.
    package var axes: Axes {
        let finite = values.filter(\.isFinite)
        let range = Ticks.niceRange(
            lower: min(0, finite.min() ?? 0), upper: max(0, finite.max() ?? 1) * 1.08,
            wholeNumbers: wholeNumbers)
        return Axes(
            x: 0...Double(max(categories.count, 1)), y: range, labels: labels, numericX: false,
            wholeNumberY: wholeNumbers)
    }

    /// Draws the chart into `rect`. Category names (and values) that would run into their
    /// neighbours' are thinned out, as plotting libraries thin crowded tick labels: see
    /// `Ticks.labelStep(widest:slot:)`.
    public func draw(on canvas: Canvas, in rect: Rect) {
        let axes = self.axes
        let area = axes.draw(on: canvas, in: rect)
        let slot = area.width / Double(max(categories.count, 1))
        let labelFont = Font(size: axes.font.size * 0.85)
        let ink = Color(hex: 0x333333)
        let valueTexts = values.map {
            Ticks.format($0, step: $0 == $0.rounded() ? 1 : 0.01)
        }
        let nameStep = Ticks.labelStep(
            widest: categories.map { canvas.measure($0, font: labelFont).width }.max() ?? 0,
            slot: slot)
        // A value is written only over a bar of its own: thinned values would be misread as
        // the values of the bars beside them.
        let writeValues =
            showValues
            && Ticks.labelStep(
                widest: valueTexts.map { canvas.measure($0, font: labelFont).width }.max() ?? 0,
                slot: slot) == 1
        for (index, name) in categories.enumerated() {
            let center = area.x + slot * (Double(index) + 0.5)
            if index % nameStep == 0 {
                canvas.text(
                    name, at: Point(x: center, y: area.maxY + 6), font: labelFont, ink,
                    anchor: .top)
            }
            guard index < values.count, values[index].isFinite else { continue }
            let top = axes.point(x: 0, y: values[index], area: area).y
            let base = axes.point(x: 0, y: 0, area: area).y
            canvas.fill(
                Rect(
                    x: center - slot * 0.35, y: min(top, base), width: slot * 0.7,
                    height: abs(base - top)), color)
            if writeValues {
                canvas.text(
                    valueTexts[index], at: Point(x: center, y: min(top, base) - 2),
                    font: labelFont, ink, anchor: .bottom)
            }
        }
    }
}
