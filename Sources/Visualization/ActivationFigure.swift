// ActivationFigure: one layer's feature maps for one input, with the input digit and the prediction.

import Drawing
import ImageIO

/// The feature maps of one layer for one input: a header with the input image and the
/// predicted class, then one tile per channel (up to 8 per row, labelled with the channel
/// index), all on one viridis scale from the layer's smallest to its largest value, with a
/// colour bar. Maps are enlarged by a whole factor so their longer side is about 56 units.
package struct ActivationFigure: Figure, Sendable {
    /// The layer's output for one sample: `height * width * channels` values, NHWC.
    package var values: [Float]
    /// `[height, width, channels]`.
    package var shape: [Int]
    package var title: String
    /// The input as the model takes it, values in 0...1 (grey: white ink on black, as MNIST).
    package var input: [Float]
    /// `[height, width, 1 or 3]`: grey or RGB.
    package var inputShape: [Int]
    /// The predicted class's name and probability.
    package var prediction: String

    /// Layout rules (canvas units).
    package static let tilesPerRow = 8, targetTileSide = 56.0, tileGap = 8.0, labelHeight = 14.0
    package static let inputTileSide = 84.0, headerGap = 12.0

    /// - Throws: ``VisualizationError/badData(_:)`` when `shape` is not three positive sizes
    ///   matching `values`, or `input` is not grey or RGB values of `inputShape`.
    package init(
        values: [Float], shape: [Int], title: String, input: [Float], inputShape: [Int],
        prediction: String
    ) throws {
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 && $0 <= 1 << 14 }),
            shape[0] * shape[1] * shape[2] == values.count
        else {
            throw VisualizationError.badData(
                "feature maps need the shape (h, w, channels) of \(values.count) values, got \(shape)"
            )
        }
        _ = try InputPicture.image(input, shape: inputShape)
        self.values = values
        self.shape = shape
        self.title = title
        self.input = input
        self.inputShape = inputShape
        self.prediction = prediction
    }

    private var channels: Int { shape[2] }
    private var factor: Double {
        max(1, (ActivationFigure.targetTileSide / Double(max(shape[0], shape[1]))).rounded(.down))
    }
    private var tileSize: Size {
        Size(width: Double(shape[1]) * factor, height: Double(shape[0]) * factor)
    }
    private var columns: Int { min(channels, ActivationFigure.tilesPerRow) }
    private var rows: Int { (channels + columns - 1) / columns }
    private var gridOrigin: Point {
        Point(
            x: FigureStyle.margin,
            y: FigureStyle.margin + FigureStyle.titleHeight + ActivationFigure.inputTileSide
                + ActivationFigure.labelHeight + ActivationFigure.headerGap)
    }
    private var gridSize: Size {
        let tile = tileSize
        return Size(
            width: Double(columns) * (tile.width + ActivationFigure.tileGap)
                - ActivationFigure.tileGap,
            height: Double(rows)
                * (tile.height + ActivationFigure.labelHeight + ActivationFigure.tileGap)
                - ActivationFigure.tileGap)
    }

    /// The grid below the header, the colour bar right of it; as wide as the header's title
    /// and prediction when those are wider.
    package var size: Size {
        let grid = gridSize
        let origin = gridOrigin
        let width = max(
            origin.x + grid.width, FigureStyle.margin + ActivationFigure.inputTileSide + 220)
        return Size(
            width: max(width + FigureStyle.barGap + FigureStyle.barWidth, headerWidth)
                + FigureStyle.margin,
            height: origin.y + max(grid.height, FigureStyle.minimumBarHeight) + FigureStyle.margin)
    }

    /// The font of the prediction written right of the input.
    private static let predictionFont = Font(size: 14)
    private var predictionText: String { "predicted: " + prediction }

    /// Where the header ends on the right: the title's end or the prediction's.
    private var headerWidth: Double {
        max(
            FigureStyle.margin + FigureStyle.textWidth(title, font: FigureStyle.titleFont),
            inputRect.maxX + 16
                + FigureStyle.textWidth(predictionText, font: ActivationFigure.predictionFont))
    }

    /// Where the input image is drawn: its proportions, in a square of ``inputTileSide``.
    package var inputRect: Rect {
        Rect(
            x: FigureStyle.margin, y: FigureStyle.margin + FigureStyle.titleHeight,
            width: ActivationFigure.inputTileSide, height: ActivationFigure.inputTileSide
        ).fitting(inputShape[1], inputShape[0])
    }

    /// Where feature map `channel` is drawn.
    package func tileRect(channel: Int) -> Rect {
        let tile = tileSize
        let origin = gridOrigin
        return Rect(
            x: origin.x + Double(channel % columns) * (tile.width + ActivationFigure.tileGap),
            y: origin.y + Double(channel / columns)
                * (tile.height + ActivationFigure.labelHeight + ActivationFigure.tileGap),
            width: tile.width, height: tile.height)
    }

    /// The layer's colour scale: viridis over all its values.
    package var scale: ColorScale { ColorScale(map: .viridis, fitting: values.map(Double.init)) }

    /// Feature map `channel`, row by row.
    package func map(channel: Int) -> [Double] {
        stride(from: channel, to: values.count, by: channels).map { Double(values[$0]) }
    }

    package func draw(on canvas: Canvas) {
        let ink = FigureStyle.ink
        canvas.text(
            title, at: Point(x: FigureStyle.margin, y: FigureStyle.margin),
            font: FigureStyle.titleFont, ink)
        let inputRect = self.inputRect
        if let image = try? InputPicture.image(input, shape: inputShape) {
            canvas.draw(image, in: inputRect)
        }
        canvas.stroke(inputRect, FigureStyle.frame, lineWidth: 0.5)
        canvas.text(
            "input", at: Point(x: inputRect.center.x, y: inputRect.maxY + 2),
            font: FigureStyle.labelFont, ink, anchor: .top)
        canvas.text(
            predictionText, at: Point(x: inputRect.maxX + 16, y: inputRect.center.y),
            font: ActivationFigure.predictionFont, ink, anchor: .left)
        let scale = self.scale
        for channel in 0..<channels {
            let rect = tileRect(channel: channel)
            if let image = try? scale.image(
                values: map(channel: channel), width: shape[1], height: shape[0])
            {
                canvas.draw(image, in: rect)
            }
            canvas.stroke(rect, FigureStyle.frame, lineWidth: 0.5)
            canvas.text(
                String(channel), at: Point(x: rect.center.x, y: rect.maxY + 1),
                font: FigureStyle.labelFont, ink, anchor: .top)
        }
        let grid = gridSize
        let origin = gridOrigin
        let left = max(
            origin.x + grid.width, FigureStyle.margin + ActivationFigure.inputTileSide + 220)
        ColorBar(scale: scale, label: "activation").draw(
            on: canvas,
            in: Rect(
                x: left + FigureStyle.barGap, y: origin.y, width: FigureStyle.barWidth,
                height: max(grid.height, FigureStyle.minimumBarHeight)))
    }
}
