// MisclassifiedFigure: a grid of misclassified test digits titled `pred (true: y)`.

import Drawing
import ImageIO

/// The first misclassified samples (7 x 7 by default) in dataset order, each titled with the
/// predicted class and, in brackets, the true one.
package struct MisclassifiedFigure: Figure, Sendable {
    /// Indices into the dataset of the samples shown, ascending; every one is misclassified.
    package let indices: [Int]
    /// All misclassified samples, of which ``indices`` is the first part.
    package let totalMisclassified: Int
    private let grid: ImageGrid

    /// Layout rules: 7 columns of 56-unit tiles, 16 units apart.
    package static let columns = 7, tileSide = 56.0, spacing = 16.0

    /// - Parameters:
    ///   - images: `count * side * side` grey values in 0...1 (white ink on black).
    ///   - labels, predictions: one class per sample.
    /// - Throws: ``VisualizationError/badData(_:)`` when the counts disagree.
    package init(
        images: [Float], side: Int, labels: [Int], predictions: [Int], classNames: [String],
        limit: Int = 49
    ) throws {
        try self.init(
            images: images, shape: [side, side, 1], labels: labels, predictions: predictions,
            classNames: classNames, limit: limit)
    }

    /// - Parameters:
    ///   - images: `count` images of `shape` (`[h, w, 1]` grey or `[h, w, 3]` RGB), values in 0...1.
    ///   - labels, predictions: one class per sample.
    /// - Throws: ``VisualizationError/badData(_:)`` when the counts disagree.
    package init(
        images: [Float], shape: [Int], labels: [Int], predictions: [Int], classNames: [String],
        limit: Int = 49
    ) throws {
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }), [1, 3].contains(shape[2]),
            labels.count == predictions.count,
            images.count == labels.count * shape.reduce(1, *)
        else {
            throw VisualizationError.badData(
                "\(images.count) pixel values, \(labels.count) labels and \(predictions.count) predictions do not describe the same \(shape) images"
            )
        }
        let wrong = labels.indices.filter { labels[$0] != predictions[$0] }
        indices = Array(wrong.prefix(max(0, limit)))
        totalMisclassified = wrong.count
        func name(_ index: Int) -> String {
            index >= 0 && index < classNames.count ? classNames[index] : String(index)
        }
        let size = shape.reduce(1, *)
        let tiles = try indices.map { index in
            let image = try InputPicture.image(
                images[index * size..<(index + 1) * size], shape: shape)
            return ImageGrid.Tile(
                image: image,
                label: "\(name(predictions[index])) (true: \(name(labels[index])))")
        }
        grid = ImageGrid(
            tiles: tiles, columns: MisclassifiedFigure.columns,
            tileSize: Size(
                width: MisclassifiedFigure.tileSide, height: MisclassifiedFigure.tileSide),
            spacing: MisclassifiedFigure.spacing,
            title:
                "\(indices.count) of \(wrong.count) misclassified test images: predicted (true: label)"
        )
    }

    package var size: Size {
        Size(width: max(grid.size.width, 460), height: grid.size.height + FigureStyle.margin / 2)
    }

    /// Where the `position`-th shown digit is drawn.
    package func tileRect(_ position: Int) -> Rect { grid.imageRect(of: position) }

    /// The label under the `position`-th shown digit.
    package func label(_ position: Int) -> String { grid.tiles[position].label }

    package func draw(on canvas: Canvas) {
        grid.draw(on: canvas)
    }
}
