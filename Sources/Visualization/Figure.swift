// Figure: what every figure builder provides (its size from layout rules, and drawing), and
// rendering to PNG, SVG or PDF by file name.

import Drawing

/// A figure laid out from its data: its size is known before any canvas exists, so layout rules
/// can be checked, and it draws itself with its top-left corner at the canvas origin.
package protocol Figure {
    /// The canvas size the figure needs, in canvas units (pixels in PNG output).
    var size: Size { get }
    /// Draws the whole figure on `canvas`, which is at least ``size``.
    func draw(on canvas: Canvas)
}

extension Figure {
    /// A white canvas of the figure's size in `format` with the figure drawn on it.
    package func render(format: FigureFormat = .png) throws -> Canvas {
        let canvas = try Canvas(
            width: size.width.rounded(.up), height: size.height.rounded(.up), format: format)
        draw(on: canvas)
        return canvas
    }

    /// Renders the figure to `path` (PNG, SVG or PDF by its extension), written atomically.
    package func write(to path: String) throws {
        try render(format: FigureFormat(path: path)).write(to: path)
    }
}

/// The fonts, colours and spacing all convkit figures share.
enum FigureStyle {
    static let ink = Color(hex: 0x333333)
    static let frame = Color(hex: 0x999999)
    static let margin = 16.0
    static let titleFont = Font(size: 15, bold: true)
    static let labelFont = Font(size: 10)
    static let smallFont = Font(size: 8)
    /// Height of the title line at the top of a figure.
    static let titleHeight = 28.0
    /// Room left of a colour bar and the bar with its tick labels.
    static let barGap = 20.0
    static let barWidth = 64.0
    static let minimumBarHeight = 120.0

    /// Where a figure of `size` that is one chart draws it: all of it but half a margin around.
    static func chartRect(size: Size) -> Rect {
        Rect(x: margin / 2, y: margin / 2, width: size.width - margin, height: size.height - margin)
    }

    /// The advance width of `text` in `font`, measured on a scratch canvas (for layout before
    /// the figure's canvas exists); a rough estimate if that canvas cannot be made.
    static func textWidth(_ text: String, font: Font) -> Double {
        guard let canvas = try? Canvas(width: 1, height: 1, background: nil) else {
            return Double(text.count) * font.size * 0.6
        }
        return canvas.measure(text, font: font).width
    }
}
