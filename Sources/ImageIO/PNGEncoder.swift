// PNGEncoder: writes images as PNG through libpng (via CPNG), atomically.

import CPNG

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How to write a PNG.
public struct PNGWriteOptions: Sendable, Equatable {
    /// Bits per sample, 8 or 16; `nil` keeps the image's own depth, and also its source format
    /// (a 1/2/4-bit grey or palette file is written back in that form when the pixels allow it).
    public var bitDepth: Int?
    /// Deflate level, 0 (none, fastest) to 9 (smallest); ``defaultCompressionLevel`` unless
    /// given.
    public var compressionLevel: Int
    /// Write with Adam7 interlacing.
    public var interlaced: Bool
    /// Threads that filter and compress (libdeflate) row bands of a large image in parallel.
    /// The default is the number of online processors.
    public var threads: Int
    /// Leave filtering and compressing to libpng alone (zlib, one thread): the reference the
    /// band encoder is tested against, and the path of interlaced and sub-8-bit images.
    public var libpngOnly: Bool
    /// Ancillary chunks to write before the image data (those of the PNG it was made from).
    public var chunks: PNGChunks

    /// Options with each setting given or defaulted: the image's own depth,
    /// ``defaultCompressionLevel``, no interlacing, every processor this process may use, no
    /// ancillary chunks.
    public init(
        bitDepth: Int? = nil, compressionLevel: Int = PNGWriteOptions.defaultCompressionLevel,
        interlaced: Bool = false,
        threads: Int = PNGWriteOptions.processorCount, libpngOnly: Bool = false,
        chunks: PNGChunks = .none
    ) {
        self.chunks = chunks
        self.bitDepth = bitDepth
        self.compressionLevel = compressionLevel
        self.interlaced = interlaced
        self.threads = max(1, threads)
        self.libpngOnly = libpngOnly
    }

    /// The deflate level of every PNG written without one: 2, a level at which filtering
    /// (`vips conv`) and re-encoding (`vips copy`) a 4096x4096 grey and a 4096x3072 RGB PNG take
    /// at most 0.8 times libvips' time on one core and on two with a margin for a busy machine
    /// (levels 3 and 4 come closer to 0.8; `scripts/bench-png.sh`, the README's table of
    /// levels). libdeflate's level 2 still writes files 40-65% the size of libvips' default.
    public static let defaultCompressionLevel = 2

    /// The processors this process may run on: its CPU affinity (`taskset`, cpusets), not every
    /// online processor, so that one allowed core writes one band (no thread, no block walk).
    public static var processorCount: Int { Int(cpng_usable_cpus()) }
}

/// Writes PNG images.
public enum PNGEncoder {
    /// Encodes `image` as PNG bytes.
    public static func encode(_ image: Image, options: PNGWriteOptions = PNGWriteOptions()) throws
        -> [UInt8]
    {
        try encode(image, options: options, name: "<memory>")
    }

    /// Encodes `image`; `name` is the path that errors name.
    static func encode(_ image: Image, options: PNGWriteOptions, name: String) throws -> [UInt8] {
        guard (0...9).contains(options.compressionLevel) else {
            throw ImageIOError.invalidImage(
                "compression level must be 0 to 9, got \(options.compressionLevel)")
        }
        if let depth = options.bitDepth, depth != 8, depth != 16 {
            throw ImageIOError.invalidImage("PNG bit depth must be 8 or 16, got \(depth)")
        }
        let converted = options.bitDepth.map { image.converted(toBitDepth: $0) } ?? image
        if options.bitDepth == nil, let plan = packedPlan(for: converted) {
            return try run(
                width: image.width, height: image.height, colorType: plan.colorType,
                bitDepth: plan.bitDepth,
                options: options, pixels: plan.values, palette: plan.palette, name: name)
        }
        let colorType: PNGColorType =
            [1: .gray, 2: .grayAlpha, 3: .rgb, 4: .rgba][converted.channels] ?? .gray
        switch converted.samples {
        case .uint8(let values):
            return try run(
                width: image.width, height: image.height, colorType: colorType, bitDepth: 8,
                options: options, pixels: values, palette: [], name: name)
        case .uint16(let values):
            return try values.withUnsafeBytes { raw in
                try run(
                    width: image.width, height: image.height, colorType: colorType, bitDepth: 16,
                    options: options, pixels: Array(raw), palette: [], name: name)
            }
        }
    }

    /// Encodes `image` and writes it to `path` atomically (`-` for standard output).
    public static func write(
        _ image: Image, to path: String, options: PNGWriteOptions = PNGWriteOptions()
    ) throws {
        let bytes: [UInt8]
        do {
            bytes = try encode(image, options: options, name: path)
        } catch ImageIOError.invalidImage(let detail) {
            throw ImageIOError.writeFailed(path: path, reason: detail)
        }
        try FileAccess.writeAtomically(bytes, to: path)
    }

    /// A low-depth grey or palette encoding that reproduces the image's source format exactly.
    private struct PackedPlan {
        var colorType: PNGColorType
        var bitDepth: Int
        var values: [UInt8]
        var palette: [UInt8]
    }

    private static func packedPlan(for image: Image) -> PackedPlan? {
        guard let source = image.source, case .uint8(let samples) = image.samples else {
            return nil
        }
        if source.colorType == .gray, source.bitDepth < 8, image.channels == 1 {
            let step = UInt8(255 / ((1 << source.bitDepth) - 1))
            guard samples.allSatisfy({ $0 % step == 0 }) else { return nil }
            return PackedPlan(
                colorType: .gray, bitDepth: source.bitDepth, values: samples.map { $0 / step },
                palette: [])
        }
        if source.colorType == .palette, image.channels >= 3 {
            return palettePlan(
                samples: samples, channels: image.channels, preferredDepth: source.bitDepth)
        }
        return nil
    }

    private static func palettePlan(samples: [UInt8], channels: Int, preferredDepth: Int)
        -> PackedPlan?
    {
        var indexOfColor = [UInt32: UInt8]()
        var palette = [UInt8]()
        var indices = [UInt8](repeating: 0, count: samples.count / channels)
        var translucent = false
        for pixel in 0..<indices.count {
            let base = pixel * channels
            let alpha = channels == 4 ? samples[base + 3] : 255
            let key =
                UInt32(samples[base]) << 24 | UInt32(samples[base + 1]) << 16 | UInt32(
                    samples[base + 2]) << 8 | UInt32(alpha)
            if let index = indexOfColor[key] {
                indices[pixel] = index
                continue
            }
            guard indexOfColor.count < 256 else { return nil }
            let index = UInt8(indexOfColor.count)
            indexOfColor[key] = index
            palette += [samples[base], samples[base + 1], samples[base + 2], alpha]
            translucent = translucent || alpha < 255
            indices[pixel] = index
        }
        // Without a translucent entry no tRNS chunk is written, and the file would read back
        // as RGB: an RGBA image whose pixels are all opaque is written as RGBA instead.
        guard channels == 3 || translucent else { return nil }
        let entries = indexOfColor.count
        let depth = [1, 2, 4, 8].first { $0 >= preferredDepth && entries <= 1 << $0 } ?? 8
        return PackedPlan(colorType: .palette, bitDepth: depth, values: indices, palette: palette)
    }

    private static func run(
        width: Int, height: Int, colorType: PNGColorType, bitDepth: Int,
        options: PNGWriteOptions, pixels: [UInt8], palette: [UInt8], name: String
    ) throws -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: 256)
        let chunks = options.chunks.serialized
        let status = pixels.withUnsafeBytes { pixelBytes in
            palette.withUnsafeBufferPointer { paletteBytes in
                chunks.withUnsafeBufferPointer { chunkBytes in
                    var request = cpng_write_request(
                        width: UInt32(width), height: UInt32(height),
                        color_type: Int32(colorType.rawValue),
                        bit_depth: Int32(bitDepth),
                        compression_level: Int32(options.compressionLevel),
                        interlaced: options.interlaced ? 1 : 0, pixels: pixelBytes.baseAddress,
                        palette: paletteBytes.baseAddress, palette_size: Int32(palette.count / 4),
                        threads: Int32(min(options.threads, 64)),
                        libpng_only: options.libpngOnly ? 1 : 0, chunks: chunkBytes.baseAddress,
                        chunks_length: chunkBytes.count)
                    return cpng_encode(&request, &output, &length, &message, message.count)
                }
            }
        }
        defer { free(output) }
        guard status == Int32(CPNG_OK.rawValue), let output else {
            throw error(status: status, message: text(of: message), name: name)
        }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }

    /// The typed error for a status of `cpng_encode`.
    private static func error(status: Int32, message: String, name: String) -> ImageIOError {
        switch UInt32(status) {
        case CPNG_NO_MEMORY.rawValue: .outOfMemory(path: name, task: "encoding the PNG")
        case CPNG_TOO_LARGE.rawValue: .tooLarge(path: name, detail: message)
        case CPNG_ENCODE_FAILED.rawValue:
            .writeFailed(path: name, reason: "PNG encoding failed: " + message)
        default: .invalidImage("PNG encoding failed: " + message)
        }
    }
}
