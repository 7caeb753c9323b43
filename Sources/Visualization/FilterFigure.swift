// FilterFigure: every filter of a convolution layer as weight tiles on one colour scale, with a colour bar.

import Drawing
import ImageIO

/// The filters of one convolution layer, each weight a visible square.
///
/// Two layouts:
/// - **tiles** (one input channel, or channels summarised by a ``KernelReduction``): one kh x kw
///   tile per filter, up to 8 per row, labelled with the filter index underneath;
/// - **matrix** (several input channels, no reduction): one row per filter and one column per
///   input channel, row and column indices in the margins;
/// - **colour** (three input channels taken as RGB, as AlexNet's first-layer figure shows them):
///   one colour tile per filter, each channel's weight mapped to its colour's intensity, mid grey
///   for zero, on the same shared or per-filter symmetric range.
///
/// Signed weights use the diverging map with a symmetric range, so white is zero, the darkest
/// red is the largest magnitude when positive and the darkest blue when negative. Norms use
/// viridis from zero. The range is shared by the whole layer or set per filter (``Scaling``).
package struct FilterFigure: Figure, Sendable {
    /// One colour range for the layer, or one per filter (each filter's largest magnitude).
    package enum Scaling: String, Sendable, CaseIterable {
        case shared
        case perFilter = "per-filter"
    }

    package var weights: KernelWeights
    package var title: String
    package var scaling: Scaling
    package var reduction: KernelReduction?
    /// Whether a three-channel kernel is drawn as colour tiles.
    package let colour: Bool
    /// The side of one weight's square, in canvas units.
    package var cellSize: Double

    /// Layout rules (canvas units).
    package static let tileGap = 10.0, tileLabelHeight = 16.0, tileRowGap = 8.0, tilesPerRow = 8
    package static let matrixGap = 2.0, rowLabelWidth = 28.0, columnLabelHeight = 16.0

    /// A figure of `weights`; `cellSize` defaults to 48 units per tile side in the tiles layout
    /// and ``matrixCellSize(_:)`` in the matrix layout. `colour` draws a kernel of three input
    /// channels (and no reduction) as RGB tiles.
    package init(
        weights: KernelWeights, title: String, scaling: Scaling = .shared,
        reduction: KernelReduction? = nil,
        cellSize: Double? = nil, colour: Bool = false
    ) {
        self.weights = weights
        self.title = title
        self.scaling = scaling
        self.reduction = weights.inputChannels > 1 ? reduction : nil
        self.colour = colour && weights.inputChannels == 3 && self.reduction == nil
        let side = Double(max(weights.height, weights.width))
        let matrix = weights.inputChannels > 1 && self.reduction == nil && !self.colour
        self.cellSize =
            cellSize
            ?? (matrix ? FilterFigure.matrixCellSize(weights) : max(2, (48 / side).rounded(.down)))
    }

    /// The longest side of the matrix layout's grid at the default cell size, in units.
    package static let matrixLimit = 8000.0

    /// The matrix layout's default weight square: 4 units, less (whole units, at least 1) where
    /// a grid of that many filters by input channels would pass ``matrixLimit`` on a side, as
    /// a layer of 512 filters over 512 channels would (15502 units for 7x7 kernels, more
    /// pixels than a PNG canvas takes).
    package static func matrixCellSize(_ weights: KernelWeights) -> Double {
        func fitting(_ tiles: Int, of cells: Int) -> Double {
            (matrixLimit / Double(max(tiles, 1)) - matrixGap) / Double(max(cells, 1))
        }
        let fit = min(
            fitting(weights.inputChannels, of: weights.width),
            fitting(weights.filters, of: weights.height))
        return max(1, min(4, fit.rounded(.down)))
    }

    /// Whether every input channel gets its own tile (the matrix layout).
    package var isMatrix: Bool { weights.inputChannels > 1 && reduction == nil && !colour }

    private var tileWidth: Double { Double(weights.width) * cellSize }
    private var tileHeight: Double { Double(weights.height) * cellSize }
    private var columns: Int {
        isMatrix ? weights.inputChannels : min(weights.filters, FilterFigure.tilesPerRow)
    }
    private var rows: Int { isMatrix ? weights.filters : (weights.filters + columns - 1) / columns }
    private var stepX: Double {
        tileWidth + (isMatrix ? FilterFigure.matrixGap : FilterFigure.tileGap)
    }
    private var stepY: Double {
        tileHeight
            + (isMatrix
                ? FilterFigure.matrixGap : FilterFigure.tileLabelHeight + FilterFigure.tileRowGap)
    }
    private var gridOrigin: Point {
        isMatrix
            ? Point(
                x: FigureStyle.margin + FilterFigure.rowLabelWidth,
                y: FigureStyle.margin + FigureStyle.titleHeight + FilterFigure.columnLabelHeight)
            : Point(x: FigureStyle.margin, y: FigureStyle.margin + FigureStyle.titleHeight)
    }
    private var gridSize: Size {
        let gapX = stepX - tileWidth
        let gapY = isMatrix ? FilterFigure.matrixGap : FilterFigure.tileRowGap
        return Size(width: Double(columns) * stepX - gapX, height: Double(rows) * stepY - gapY)
    }

    /// margin + [row labels] + grid + bar gap + bar + margin wide (at least the title's width
    /// plus margins); margin + title + [column labels] + max(grid, 120) + margin high.
    package var size: Size {
        let grid = gridSize
        let origin = gridOrigin
        let width =
            origin.x + grid.width + FigureStyle.barGap + FigureStyle.barWidth + FigureStyle.margin
        return Size(
            width: max(
                width,
                2 * FigureStyle.margin
                    + FigureStyle.textWidth(title, font: FigureStyle.titleFont).rounded(.up)),
            height: origin.y + max(grid.height, FigureStyle.minimumBarHeight) + FigureStyle.margin)
    }

    /// Where the tile of `filter` (on input `channel` in the matrix layout) is drawn.
    package func tileRect(filter: Int, channel: Int = 0) -> Rect {
        let origin = gridOrigin
        let row = isMatrix ? filter : filter / columns
        let column = isMatrix ? channel : filter % columns
        return Rect(
            x: origin.x + Double(column) * stepX, y: origin.y + Double(row) * stepY,
            width: tileWidth, height: tileHeight)
    }

    /// Where the square of tap (`y`, `x`) of a tile is drawn.
    package func cellRect(filter: Int, channel: Int = 0, y: Int, x: Int) -> Rect {
        let tile = tileRect(filter: filter, channel: channel)
        return Rect(
            x: tile.x + Double(x) * cellSize, y: tile.y + Double(y) * cellSize, width: cellSize,
            height: cellSize)
    }

    /// The kh x kw values of each tile, in drawing order (filter-major, then channel).
    private func tileValues(filter: Int) -> [[Double]] {
        if let reduction { return [weights.reduced(filter: filter, by: reduction)] }
        return (0..<weights.inputChannels).map { weights.plane(filter: filter, channel: $0) }
    }

    private var map: ColorMap { reduction == .norm ? .viridis : .diverging }

    /// The colour scale of `filter`'s tiles.
    package func scale(forFilter filter: Int) -> ColorScale {
        switch scaling {
        case .shared:
            return ColorScale(
                map: map, fitting: (0..<weights.filters).flatMap { tileValues(filter: $0).joined() }
            )
        case .perFilter: return ColorScale(map: map, fitting: tileValues(filter: filter).joined())
        }
    }

    /// The scale the colour bar shows: the shared one, or each filter's range mapped to -1...1 (0...1 for norms).
    private var barScale: (scale: ColorScale, label: String) {
        let what = reduction.map { $0 == .norm ? "norm" : "mean" } ?? "weight"
        let barMap = colour ? ColorMap.grey : map
        let each = colour ? " (R, G, B)" : ""
        switch scaling {
        case .shared:
            let shared = scale(forFilter: 0)
            return (
                ColorScale(map: barMap, lower: shared.lower, upper: shared.upper), what + each
            )
        case .perFilter:
            return (
                ColorScale(map: barMap, lower: map == .diverging ? -1 : 0, upper: 1),
                "\(what) / filter max\(each)"
            )
        }
    }

    /// The RGB tile of `filter`: each channel's weight at its position on `scale`, so zero is
    /// mid grey and the range's ends are no and full intensity.
    package func colourTile(filter: Int, scale: ColorScale) throws -> Image {
        let planes = tileValues(filter: filter)
        var samples = [UInt8](repeating: 0, count: weights.height * weights.width * 3)
        for pixel in 0..<weights.height * weights.width {
            for channel in 0..<3 {
                samples[pixel * 3 + channel] = UInt8(
                    (scale.position(of: planes[channel][pixel]) * 255).rounded())
            }
        }
        return try Image(
            width: weights.width, height: weights.height, channels: 3, samples: .uint8(samples))
    }

    package func draw(on canvas: Canvas) {
        let ink = FigureStyle.ink
        canvas.text(
            title, at: Point(x: FigureStyle.margin, y: FigureStyle.margin),
            font: FigureStyle.titleFont, ink)
        let shared = scaling == .shared ? scale(forFilter: 0) : nil
        if isMatrix {
            // Grey gaps keep the 3x3 tiles apart where their weights are near zero (white).
            let origin = gridOrigin
            let grid = gridSize
            let gap = FilterFigure.matrixGap
            canvas.fill(
                Rect(
                    x: origin.x - gap, y: origin.y - gap, width: grid.width + 2 * gap,
                    height: grid.height + 2 * gap),
                Color(hex: 0xBBBBBB))
        }
        for filter in 0..<weights.filters {
            let scale = shared ?? self.scale(forFilter: filter)
            if colour {
                let rect = tileRect(filter: filter)
                if let image = try? colourTile(filter: filter, scale: scale) {
                    canvas.draw(image, in: rect)
                }
                canvas.stroke(rect, FigureStyle.frame, lineWidth: 0.5)
                canvas.text(
                    String(filter), at: Point(x: rect.center.x, y: rect.maxY + 2),
                    font: FigureStyle.labelFont, ink, anchor: .top)
                continue
            }
            for (channel, values) in tileValues(filter: filter).enumerated() {
                let rect = tileRect(filter: filter, channel: channel)
                if let image = try? scale.image(
                    values: values, width: weights.width, height: weights.height)
                {
                    canvas.draw(image, in: rect)
                }
                if !isMatrix {
                    canvas.stroke(rect, FigureStyle.frame, lineWidth: 0.5)
                    canvas.text(
                        String(filter), at: Point(x: rect.center.x, y: rect.maxY + 2),
                        font: FigureStyle.labelFont, ink,
                        anchor: .top)
                }
            }
        }
        if isMatrix { drawMatrixLabels(on: canvas) }
        let grid = gridSize
        let origin = gridOrigin
        let bar = barScale
        ColorBar(scale: bar.scale, label: bar.label).draw(
            on: canvas,
            in: Rect(
                x: origin.x + grid.width + FigureStyle.barGap, y: origin.y,
                width: FigureStyle.barWidth, height: max(grid.height, FigureStyle.minimumBarHeight))
        )
    }

    /// Filter indices left of the rows and input-channel indices above the columns, thinned
    /// (``Ticks/labelStep(widest:slot:)``) where the largest index would run into the next.
    private func drawMatrixLabels(on canvas: Canvas) {
        let font = FigureStyle.smallFont
        let rowStep = Ticks.labelStep(
            widest: canvas.measure(String(weights.filters - 1), font: font).height, slot: stepY)
        let columnStep = Ticks.labelStep(
            widest: canvas.measure(String(weights.inputChannels - 1), font: font).width,
            slot: stepX)
        for filter in stride(from: 0, to: weights.filters, by: rowStep) {
            let tile = tileRect(filter: filter)
            canvas.text(
                String(filter), at: Point(x: tile.x - 4, y: tile.center.y),
                font: FigureStyle.smallFont, FigureStyle.ink,
                anchor: .right)
        }
        for channel in stride(from: 0, to: weights.inputChannels, by: columnStep) {
            let tile = tileRect(filter: 0, channel: channel)
            canvas.text(
                String(channel), at: Point(x: tile.center.x, y: tile.y - 3),
                font: FigureStyle.smallFont, FigureStyle.ink,
                anchor: .bottom)
        }
        let origin = gridOrigin
        canvas.text(
            "filter", at: Point(x: FigureStyle.margin, y: origin.y - 3),
            font: FigureStyle.smallFont, FigureStyle.ink,
            anchor: TextAnchor(.left, .bottom))
    }
}
