// ImageFile: reads and writes an image in whichever format its file holds or its name asks for.

/// The image file formats convkit reads and writes.
public enum ImageFileFormat: String, Sendable, CaseIterable {
    /// Portable Network Graphics.
    case png
    /// A numpy array file of uint8 or uint16 samples, shape (H, W) or (H, W, C).
    case npy

    /// The format named by `path`'s extension (`.png` or `.npy`, any case); PNG for `-`
    /// (standard output).
    /// - Throws: ``ImageIOError/unsupported(path:detail:)`` for any other name, so no file is
    ///   ever written in a format its name does not say.
    public init(path: String) throws {
        let lower = path.lowercased()
        if path == "-" || lower.hasSuffix(".png") {
            self = .png
        } else if lower.hasSuffix(".npy") {
            self = .npy
        } else {
            throw ImageIOError.unsupported(
                path: path, detail: "unknown output format: name a .png or .npy file")
        }
    }
}

/// Whole-image reads and writes, in PNG or NPY.
public enum ImageFile {
    /// Reads an image, recognising PNG or NPY from the file's first bytes (not its name).
    /// NPY arrays must be uint8 or uint16 of shape (H, W) or (H, W, C) with C from 1 to 4.
    public static func read(path: String, maxPixels: Int = PNGDecoder.defaultMaxPixels) throws
        -> Image
    {
        let bytes = try FileAccess.readAll(path)
        if NPY.hasMagic(bytes) {
            return try image(from: NPY.decode(bytes, name: path), name: path)
        }
        return try PNGDecoder.decode(bytes, name: path, maxPixels: maxPixels)
    }

    /// Writes `image` atomically in the format named by `path`'s extension.
    public static func write(
        _ image: Image, to path: String, options: PNGWriteOptions = PNGWriteOptions()
    ) throws {
        switch try ImageFileFormat(path: path) {
        case .png: try PNGEncoder.write(image, to: path, options: options)
        case .npy: try NPY.write(image.npyArray(), to: path)
        }
    }

    /// Turns an integer NPY array into an image.
    public static func image(from array: NPYArray, name: String) throws -> Image {
        let shape = array.shape
        guard shape.count == 2 || (shape.count == 3 && (1...4).contains(shape[2])) else {
            throw ImageIOError.unsupported(
                path: name,
                detail:
                    "array of shape \(shape) is not an image: expected (H, W) or (H, W, C) with C from 1 to 4"
            )
        }
        let channels = shape.count == 3 ? shape[2] : 1
        let samples: Image.Samples
        switch array.values {
        case .uint8(let values): samples = .uint8(values)
        case .uint16(let values): samples = .uint16(values)
        default:
            throw ImageIOError.unsupported(
                path: name,
                detail:
                    "\(array.values.dtype) array cannot become an image without a value range: use uint8 or uint16"
            )
        }
        do {
            return try Image(
                width: shape[1], height: shape[0], channels: channels, samples: samples)
        } catch ImageIOError.invalidImage(let detail) {
            throw ImageIOError.badHeader(path: name, detail: detail)
        }
    }
}
