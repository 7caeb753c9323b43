// ColorBar: the legend that tells which value each colour of a ColorScale stands for.

/// A vertical colour bar with ticks on its right.
public struct ColorBar: Sendable {
    /// The scale the bar shows.
    public var scale: ColorScale
    /// The text beside the bar.
    public var label: String

    /// Where the ticks stand and what they say; `nil` for round values spread over the scale.
    var tickMarks: [(value: Double, label: String)]?

    /// A bar showing `scale`, with `label` beside it.
    public init(scale: ColorScale, label: String = "") {
        self.scale = scale
        self.label = label
    }

    /// A bar showing `scale` with its ticks at the given values (in the scale's units).
    package init(scale: ColorScale, label: String, ticks: [(value: Double, label: String)]) {
        self.init(scale: scale, label: label)
        tickMarks = ticks
    }

    /// Draws the bar in the left part of `rect` (about 16 units wide) with tick labels right
    /// of it; the highest value is at the top.
    public func draw(on canvas: Canvas, in rect: Rect) {
        let font = Font(size: 10)
        let ink = Color(hex: 0x333333)
        let top = rect.y + (label.isEmpty ? 0 : font.size * 1.6)
        let bar = Rect(
            x: rect.x, y: top, width: min(16, rect.width), height: max(1, rect.maxY - top))
        let steps = 256
        let values = (0..<steps).map {
            scale.upper - (scale.upper - scale.lower) * (Double($0) + 0.5) / Double(steps)
        }
        if let image = try? scale.image(values: values, width: 1, height: steps) {
            canvas.draw(image, in: bar)
        }
        canvas.stroke(bar, ink, lineWidth: 0.8)
        let ticks =
            tickMarks
            ?? {
                let round = Ticks(lower: scale.lower, upper: scale.upper)
                return round.values.map { ($0, round.label($0)) }
            }()
        for (value, text) in ticks {
            let y = bar.maxY - scale.position(of: value) * bar.height
            canvas.line(from: Point(x: bar.maxX, y: y), to: Point(x: bar.maxX + 4, y: y), ink)
            canvas.text(text, at: Point(x: bar.maxX + 6, y: y), font: font, ink, anchor: .left)
        }
        if !label.isEmpty {
            canvas.text(label, at: Point(x: rect.x, y: rect.y), font: font, ink, anchor: .topLeft)
        }
    }
}
