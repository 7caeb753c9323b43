// ImageURLs: the one-call read and write, by file URL, that most programs need.

import Foundation

extension Image {
    /// Reads the PNG or NPY image at `url`, recognising the format from the file's first bytes.
    ///
    /// PNGs keep their bit depth (8 or 16) and channels (palette becomes RGB, a tRNS chunk
    /// becomes alpha); NPY arrays must be uint8 or uint16 of shape (H, W) or (H, W, C).
    ///
    /// ```swift
    /// let image = try Image(contentsOf: URL(fileURLWithPath: "ascent.png"))
    /// ```
    ///
    /// - Parameters:
    ///   - url: A file URL.
    ///   - maxPixels: The largest `width * height` accepted, checked before any pixel memory
    ///     is allocated.
    /// - Throws: ``ImageIOError``, naming the file: ``ImageIOError/unreadable(path:reason:)``
    ///   for a URL that is not a file URL, ``ImageIOError/exceedsPixelLimit(path:detail:)``
    ///   above `maxPixels`, and the format's own errors for damaged files.
    public init(contentsOf url: URL, maxPixels: Int = PNGDecoder.defaultMaxPixels) throws {
        self = try ImageFile.read(path: try Self.filePath(of: url), maxPixels: maxPixels)
    }

    /// Writes the image to `url` atomically, in the format its extension names: `.png` or
    /// `.npy` (any case). An existing file is replaced only once the new one is complete.
    ///
    /// ```swift
    /// try image.write(to: URL(fileURLWithPath: "edges.png"))
    /// ```
    ///
    /// - Throws: ``ImageIOError/unsupported(path:detail:)`` for any other extension,
    ///   ``ImageIOError/writeFailed(path:reason:)`` when the file cannot be written.
    public func write(to url: URL, options: PNGWriteOptions = PNGWriteOptions()) throws {
        try ImageFile.write(self, to: try Self.filePath(of: url), options: options)
    }

    private static func filePath(of url: URL) throws -> String {
        guard url.isFileURL else {
            throw ImageIOError.unreadable(
                path: url.absoluteString, reason: "not a file URL")
        }
        return url.path
    }
}
