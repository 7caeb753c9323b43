// ImageGrid: labelled tiles (filters, feature maps, digits) laid out in rows and columns.

import ImageIO

/// A grid of images, each enlarged to fit the same tile size in its own proportions, with a
/// label underneath.
public struct ImageGrid: Sendable {
    /// One image and its label.
    public struct Tile: Sendable {
        /// The image, enlarged to fit the grid's tile size, keeping its proportions.
        public var image: Image
        /// The text under the image.
        public var label: String

        /// A tile of `image` with `label` underneath.
        public init(image: Image, label: String = "") {
            self.image = image
            self.label = label
        }
    }

    /// The tiles, row by row.
    public var tiles: [Tile]
    /// Tiles per row.
    public var columns: Int
    /// The box every tile's image is fitted into (and centred in).
    public var tileSize: Size
    /// Space between tiles, in canvas units.
    public var spacing: Double
    /// The title above the grid; empty for none.
    public var title: String
    /// The font of the labels.
    public var labelFont: Font
    /// Enlarge with bilinear filtering instead of sharp squares.
    public var smooth: Bool

    /// A grid of `tiles`, `columns` to a row.
    public init(
        tiles: [Tile], columns: Int, tileSize: Size, spacing: Double = 6, title: String = "",
        labelFont: Font = Font(size: 10), smooth: Bool = false
    ) {
        self.tiles = tiles
        self.columns = max(1, columns)
        self.tileSize = tileSize
        self.spacing = spacing
        self.title = title
        self.labelFont = labelFont
        self.smooth = smooth
    }

    /// Number of rows of tiles.
    public var rows: Int { (tiles.count + columns - 1) / columns }

    private var hasLabels: Bool { tiles.contains { !$0.label.isEmpty } }
    private var labelHeight: Double { hasLabels ? labelFont.size * 1.5 : 0 }
    private var titleHeight: Double { title.isEmpty ? 0 : 24 }

    /// The width of a column: the tile's, or the widest label's, so that labels never overlap.
    private var columnWidth: Double {
        let labels = Set(tiles.map(\.label)).filter { !$0.isEmpty }
        guard !labels.isEmpty, let canvas = try? Canvas(width: 1, height: 1, background: nil)
        else { return tileSize.width }
        let widest = labels.map { canvas.measure($0, font: labelFont).width }.max() ?? 0
        return max(tileSize.width, widest.rounded(.up) + 4)
    }

    /// The size the grid needs: tiles, labels, spacing and title.
    public var size: Size {
        let cellWidth = columnWidth + spacing
        let cellHeight = tileSize.height + labelHeight + spacing
        return Size(
            width: Double(columns) * cellWidth + spacing,
            height: titleHeight + Double(rows) * cellHeight + spacing)
    }

    /// The rectangle of tile `index`'s image when the grid's top-left corner is at `origin`:
    /// the largest of the image's proportions centred in its tile.
    package func imageRect(of index: Int, origin: Point = Point(x: 0, y: 0)) -> Rect {
        let tile = tileRect(of: index, origin: origin, columnWidth: columnWidth)
        guard tiles.indices.contains(index) else { return tile }
        return tile.fitting(tiles[index].image.width, tiles[index].image.height)
    }

    /// The rectangle of tile `index`, `tileSize` centred in its column of `width`.
    private func tileRect(of index: Int, origin: Point, columnWidth width: Double) -> Rect {
        let cellWidth = width + spacing
        let cellHeight = tileSize.height + labelHeight + spacing
        let row = index / columns
        let column = index % columns
        return Rect(
            x: origin.x + spacing + Double(column) * cellWidth + (width - tileSize.width) / 2,
            y: origin.y + titleHeight + spacing + Double(row) * cellHeight,
            width: tileSize.width, height: tileSize.height)
    }

    /// Draws the grid with its top-left corner at `origin`.
    public func draw(on canvas: Canvas, at origin: Point = Point(x: 0, y: 0)) {
        let ink = Color(hex: 0x333333)
        if !title.isEmpty {
            canvas.text(
                title, at: Point(x: origin.x + size.width / 2, y: origin.y + 4),
                font: Font(size: 14, bold: true),
                ink, anchor: .top)
        }
        // The labels are measured once for the whole grid.
        let width = columnWidth
        for (index, tile) in tiles.enumerated() {
            let box = tileRect(of: index, origin: origin, columnWidth: width)
            let rect = box.fitting(tile.image.width, tile.image.height)
            canvas.draw(tile.image, in: rect, smooth: smooth)
            canvas.stroke(rect, Color(hex: 0x999999), lineWidth: 0.5)
            if !tile.label.isEmpty {
                canvas.text(
                    tile.label, at: Point(x: rect.center.x, y: box.maxY + 2), font: labelFont, ink,
                    anchor: .top)
            }
        }
    }
}
