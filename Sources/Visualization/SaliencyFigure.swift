// SaliencyFigure: where a prediction looks: the input, then saliency, gradient x input and Grad-CAM over it.

import Drawing
import ImageIO
import LearnedFilters

/// One input explained: the input (grey or colour), then its saliency, gradient x input and
/// Grad-CAM maps, each blended over the input's grey (60% map colour) with its own colour bar: viridis
/// from 0 for saliency and Grad-CAM, the diverging map on a symmetric range for the signed
/// gradient x input. The title names the explained, predicted and true class.
package struct SaliencyFigure: Figure, Sendable {
    /// The input as the model takes it, values in 0...1: `height x width` grey values or
    /// `height x width x 3` RGB.
    package var input: [Float]
    package var maps: Attribution
    package var title: String

    /// Layout rules (canvas units).
    package static let panelSide = 168.0, panelGap = 16.0, labelHeight = 16.0, barWidth = 56.0
    /// How much of each pixel's colour is the map's (the rest is the input's grey).
    package static let opacity = 0.6

    /// The panels: name, values, colour scale.
    package var panels: [(name: String, values: [Float], scale: ColorScale)] {
        [
            ("saliency |d logit / d input|", maps.saliency, fit(.viridis, maps.saliency)),
            ("gradient x input", maps.gradientTimesInput, fit(.diverging, maps.gradientTimesInput)),
            ("Grad-CAM", maps.gradCAM, fit(.viridis, maps.gradCAM)),
        ]
    }

    /// - Throws: ``VisualizationError/badData(_:)`` when the input does not have the maps' size.
    package init(input: [Float], maps: Attribution, title: String) throws {
        let pixels = maps.height * maps.width
        guard input.count == pixels || input.count == 3 * pixels else {
            throw VisualizationError.badData(
                "the input has \(input.count) values, the maps \(maps.height)x\(maps.width)")
        }
        self.input = input
        self.maps = maps
        self.title = title
    }

    private func fit(_ map: ColorMap, _ values: [Float]) -> ColorScale {
        let scale = ColorScale(map: map, fitting: values.map(Double.init))
        return map == .viridis ? ColorScale(map: map, lower: 0, upper: scale.upper) : scale
    }

    private var panelStep: Double {
        SaliencyFigure.panelSide + SaliencyFigure.panelGap + SaliencyFigure.barWidth
    }

    package var size: Size {
        let width =
            2 * FigureStyle.margin + SaliencyFigure.panelSide + SaliencyFigure.panelGap + 3
            * panelStep
        return Size(
            width: max(
                width,
                2 * FigureStyle.margin
                    + FigureStyle.textWidth(title, font: FigureStyle.titleFont).rounded(.up)),
            height: FigureStyle.margin + FigureStyle.titleHeight + SaliencyFigure.labelHeight
                + SaliencyFigure.panelSide + FigureStyle.margin)
    }

    /// Where panel `index` is drawn: 0 the input, 1...3 the maps.
    package func panelRect(_ index: Int) -> Rect {
        let x =
            index == 0
            ? FigureStyle.margin
            : FigureStyle.margin + SaliencyFigure.panelSide + SaliencyFigure.panelGap
                + Double(index - 1) * panelStep
        return Rect(
            x: x, y: FigureStyle.margin + FigureStyle.titleHeight + SaliencyFigure.labelHeight,
            width: SaliencyFigure.panelSide, height: SaliencyFigure.panelSide)
    }

    /// `[height, width, 1 or 3]`.
    private var inputShape: [Int] {
        [maps.height, maps.width, input.count / max(maps.height * maps.width, 1)]
    }

    /// The map blended over the input's grey, one pixel per value.
    package func overlay(_ values: [Float], scale: ColorScale) throws -> Image {
        try SaliencyFigure.overlay(
            values, on: InputPicture.grey(input, shape: inputShape), height: maps.height,
            width: maps.width, scale: scale)
    }

    /// Where panel `index`'s image is drawn: the input's proportions inside ``panelRect(_:)``.
    private func imageRect(_ index: Int) -> Rect {
        panelRect(index).fitting(maps.width, maps.height)
    }

    /// `values` in `scale`'s colours blended over the grey `input` (both `height x width`),
    /// ``opacity`` of each pixel's colour from the map.
    package static func overlay(
        _ values: [Float], on input: [Float], height: Int, width: Int, scale: ColorScale
    ) throws -> Image {
        guard values.count == height * width, input.count == values.count else {
            throw VisualizationError.badData(
                "a \(height)x\(width) overlay needs as many map values as input values")
        }
        var samples = [UInt8](repeating: 0, count: values.count * 3)
        for (index, value) in values.enumerated() {
            let colour = scale.color(for: Double(value))
            let grey = Double(min(max(input[index], 0), 1))
            let parts = [colour.red, colour.green, colour.blue]
            for channel in 0..<3 {
                let blended = (1 - opacity) * grey + opacity * parts[channel]
                samples[index * 3 + channel] = UInt8((blended * 255).rounded())
            }
        }
        return try Image(width: width, height: height, channels: 3, samples: .uint8(samples))
    }

    package func draw(on canvas: Canvas) {
        let ink = FigureStyle.ink
        canvas.text(
            title, at: Point(x: FigureStyle.margin, y: FigureStyle.margin),
            font: FigureStyle.titleFont, ink)
        let inputRect = imageRect(0)
        if let image = try? InputPicture.image(input, shape: inputShape) {
            canvas.draw(image, in: inputRect)
        }
        canvas.stroke(inputRect, FigureStyle.frame, lineWidth: 0.5)
        canvas.text(
            "input", at: Point(x: inputRect.x, y: inputRect.y - 3), font: FigureStyle.labelFont,
            ink, anchor: TextAnchor(.left, .bottom))
        for (index, panel) in panels.enumerated() {
            let rect = imageRect(index + 1)
            if let image = try? overlay(panel.values, scale: panel.scale) {
                canvas.draw(image, in: rect)
            }
            canvas.stroke(rect, FigureStyle.frame, lineWidth: 0.5)
            canvas.text(
                panel.name, at: Point(x: rect.x, y: rect.y - 3), font: FigureStyle.labelFont, ink,
                anchor: TextAnchor(.left, .bottom))
            ColorBar(scale: panel.scale).draw(
                on: canvas,
                in: Rect(
                    x: rect.maxX + 6, y: rect.y, width: SaliencyFigure.barWidth - 6,
                    height: rect.height))
        }
    }
}
