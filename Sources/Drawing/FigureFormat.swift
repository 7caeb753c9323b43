// FigureFormat: the file formats a canvas can be written as, chosen by file name.

/// A figure file format.
public enum FigureFormat: String, Sendable, CaseIterable {
    /// Raster, rendered by cairo's image surface and encoded by ImageIO's PNG encoder.
    case png
    /// Vector, from cairo's SVG surface (text becomes glyph outlines).
    case svg
    /// Vector, from cairo's PDF surface (fonts embedded, text selectable).
    case pdf

    /// The format named by `path`'s extension (case-insensitive).
    /// - Throws: ``DrawingError/unknownFormat(path:)`` for any other extension.
    public init(path: String) throws {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."),
            let format = FigureFormat(rawValue: name[name.index(after: dot)...].lowercased())
        else {
            throw DrawingError.unknownFormat(path: path)
        }
        self = format
    }
}
