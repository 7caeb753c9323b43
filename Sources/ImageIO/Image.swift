// Image: the pixel value type every convkit module passes around.

/// A raster image held in memory.
///
/// Samples are interleaved and stored row by row from the top-left corner: the sample for
/// column `x`, row `y` and channel `c` is at index `(y * width + x) * channels + c`, with no
/// padding at the end of a row. `channels` is 1 (grey), 2 (grey and alpha), 3 (RGB) or 4 (RGBA).
/// Samples keep the precision they were read with, 8 or 16 bits, so a 16-bit PNG survives a
/// read and a write unchanged. No gamma or colour-space conversion is ever applied.
public struct Image: Sendable, Equatable {
    // One case per sample type; NPY's Values has the same shape for its own dtypes.
    /// The sample buffer, in the layout described on ``Image``.
    public enum Samples: Sendable, Equatable {
        /// 8-bit samples, 0 to 255.
        case uint8([UInt8])
        /// 16-bit samples, 0 to 65535.
        case uint16([UInt16])

        /// Number of samples in the buffer.
        public var count: Int {
            switch self {
            case .uint8(let values): values.count
            case .uint16(let values): values.count
            }
        }
    }

    /// Width in pixels (columns).
    public let width: Int
    /// Height in pixels (rows).
    public let height: Int
    /// Samples per pixel: 1 (grey), 2 (grey and alpha), 3 (RGB) or 4 (RGBA).
    public let channels: Int
    /// Every sample, interleaved, row by row from the top-left corner.
    public var samples: Samples
    /// How the image was stored when it was read from a PNG; `nil` for images built in memory.
    public var source: PNGFormat?

    /// Creates an image; the sample count must be `width * height * channels`.
    public init(width: Int, height: Int, channels: Int, samples: Samples, source: PNGFormat? = nil)
        throws
    {
        guard width > 0, height > 0 else {
            throw ImageIOError.invalidImage(
                "image dimensions must be positive, got \(width)x\(height)")
        }
        guard (1...4).contains(channels) else {
            throw ImageIOError.invalidImage("an image has 1 to 4 channels, got \(channels)")
        }
        let (pixels, overflow1) = width.multipliedReportingOverflow(by: height)
        let (expected, overflow2) = pixels.multipliedReportingOverflow(by: channels)
        guard !overflow1, !overflow2, samples.count == expected else {
            throw ImageIOError.invalidImage(
                "\(width)x\(height)x\(channels) needs \(width &* height &* channels) samples, got \(samples.count)"
            )
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.samples = samples
        self.source = source
    }

    /// Bits per stored sample: 8 or 16.
    public var bitDepth: Int {
        if case .uint16 = samples { return 16 }
        return 8
    }

    /// The largest value a sample can hold at this bit depth (255 or 65535).
    public var maxSampleValue: Int { bitDepth == 16 ? 65535 : 255 }

    /// Whether the last channel is alpha (grey+alpha or RGBA).
    public var hasAlpha: Bool { channels == 2 || channels == 4 }

    /// The sample at column `x`, row `y`, channel `c`, widened to `Int`.
    public func sample(x: Int, y: Int, channel c: Int) -> Int {
        let index = (y * width + x) * channels + c
        switch samples {
        case .uint8(let values): return Int(values[index])
        case .uint16(let values): return Int(values[index])
        }
    }

    /// A short name for the channel layout: "grey", "grey+alpha", "RGB" or "RGBA".
    public var layoutName: String {
        switch channels {
        case 1: "grey"
        case 2: "grey+alpha"
        case 3: "RGB"
        default: "RGBA"
        }
    }
}

// Raw-valued cases, like IDX's element types: the codes are the format's own.
/// The PNG colour types, with their IHDR codes.
public enum PNGColorType: Int, Sendable, Equatable, CaseIterable {
    /// Grey samples.
    case gray = 0
    /// Red, green and blue samples.
    case rgb = 2
    /// Indices into a palette of RGB colours.
    case palette = 3
    /// Grey and alpha samples.
    case grayAlpha = 4
    /// Red, green, blue and alpha samples.
    case rgba = 6

    /// The name used in `convkit info` output.
    public var name: String {
        switch self {
        case .gray: "grey"
        case .rgb: "RGB"
        case .palette: "palette"
        case .grayAlpha: "grey+alpha"
        case .rgba: "RGBA"
        }
    }
}

/// How an image was stored in its PNG file.
public struct PNGFormat: Sendable, Equatable {
    /// The colour type of the IHDR chunk.
    public var colorType: PNGColorType
    /// Bits per sample in the file (1, 2, 4, 8 or 16); palette indices count as samples.
    public var bitDepth: Int
    /// Whether the file is Adam7-interlaced.
    public var interlaced: Bool
    /// Whether a tRNS chunk supplied transparency (read as an alpha channel).
    public var hasTransparencyChunk: Bool

    /// Describes a PNG's storage; only the colour type and depth are required.
    public init(
        colorType: PNGColorType, bitDepth: Int, interlaced: Bool = false,
        hasTransparencyChunk: Bool = false
    ) {
        self.colorType = colorType
        self.bitDepth = bitDepth
        self.interlaced = interlaced
        self.hasTransparencyChunk = hasTransparencyChunk
    }
}
