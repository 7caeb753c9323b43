// GradCAMGridFigure: Grad-CAM of several test images over each image, titled predicted (true: label).

import Drawing
import ImageIO
import LearnedFilters

/// A grid of images, each with its Grad-CAM map for the predicted class blended over it, on
/// viridis from 0 to that image's largest value (so the colour bar reads "of the image's
/// maximum"), titled `predicted (true: label)`. A map that is zero everywhere (no positive
/// evidence for the class) has nothing to scale, so its tile carries the note "map is zero"
/// instead of looking like an empty picture.
package struct GradCAMGridFigure: Figure, Sendable {
    private let grid: ImageGrid
    /// The maps shown, in order.
    package let maps: [Attribution]
    /// Positions of the maps that are zero everywhere, each noted on its tile.
    package let zeroMaps: [Int]
    /// The note written on the tile of a map that is zero everywhere.
    package static let zeroNote = "map is zero"

    /// Layout rules: 6 columns of 84-unit tiles.
    package static let columns = 6, tileSide = 84.0, spacing = 14.0

    /// - Parameters:
    ///   - inputs: one input per map, of the maps' height and width, grey or RGB values in 0...1.
    ///   - labels: the true class of each input.
    /// - Throws: ``VisualizationError/badData(_:)`` when the counts disagree.
    package init(
        inputs: [[Float]], maps: [Attribution], labels: [Int], classNames: [String], title: String
    ) throws {
        guard !maps.isEmpty, inputs.count == maps.count, labels.count == maps.count else {
            throw VisualizationError.badData(
                "\(inputs.count) inputs, \(maps.count) maps and \(labels.count) labels do not match"
            )
        }
        func name(_ index: Int) -> String {
            index >= 0 && index < classNames.count ? classNames[index] : String(index)
        }
        let tiles = try zip(inputs, zip(maps, labels)).map { input, item in
            let (map, label) = item
            let top = Double(map.gradCAM.max() ?? 0)
            let scale = ColorScale(map: .viridis, lower: 0, upper: top > 0 ? top : 1)
            return ImageGrid.Tile(
                image: try SaliencyFigure.overlay(
                    map.gradCAM,
                    on: InputPicture.grey(
                        input,
                        shape: [map.height, map.width, input.count / max(map.gradCAM.count, 1)]),
                    height: map.height, width: map.width, scale: scale),
                label: "\(name(map.target)) (true: \(name(label)))")
        }
        self.maps = maps
        zeroMaps = maps.indices.filter { !maps[$0].gradCAM.contains { $0 > 0 } }
        grid = ImageGrid(
            tiles: tiles, columns: GradCAMGridFigure.columns,
            tileSize: Size(width: GradCAMGridFigure.tileSide, height: GradCAMGridFigure.tileSide),
            spacing: GradCAMGridFigure.spacing, title: title)
    }

    package var size: Size {
        Size(
            width: grid.size.width + FigureStyle.barGap + FigureStyle.barWidth,
            height: max(grid.size.height, FigureStyle.minimumBarHeight + 40)
                + FigureStyle.margin / 2)
    }

    /// The title above the grid.
    package var title: String { grid.title }

    /// Where the `position`-th image is drawn.
    package func tileRect(_ position: Int) -> Rect { grid.imageRect(of: position) }

    package func draw(on canvas: Canvas) {
        grid.draw(on: canvas)
        let font = FigureStyle.labelFont
        let noteSize = Canvas.measure(Self.zeroNote, font: font)
        for position in zeroMaps {
            let rect = grid.imageRect(of: position)
            let box = Rect(
                x: rect.center.x - noteSize.width / 2 - 3,
                y: rect.center.y - noteSize.height / 2 - 2, width: noteSize.width + 6,
                height: noteSize.height + 4)
            canvas.fill(box, Color(hex: 0xFFFFFF))
            canvas.text(
                Self.zeroNote, at: rect.center, font: font, FigureStyle.ink, anchor: .center)
        }
        let top = grid.imageRect(of: 0).y
        ColorBar(scale: ColorScale(map: .viridis, lower: 0, upper: 1), label: "of image max").draw(
            on: canvas,
            in: Rect(
                x: grid.size.width + FigureStyle.barGap / 2, y: top, width: FigureStyle.barWidth,
                height: max(
                    grid.size.height - top - FigureStyle.margin, FigureStyle.minimumBarHeight))
        )
    }
}
