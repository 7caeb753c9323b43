// PNGDecoder: reads PNG files of every colour type and bit depth through libpng (via CPNG).

import CPNG

/// Reads PNG images.
///
/// Every colour type and bit depth is accepted: grey 1/2/4/8/16 bits, grey+alpha and RGB(A) at
/// 8/16 bits, palettes of 1/2/4/8 bits (expanded to RGB), and Adam7 interlacing. A `tRNS`
/// chunk becomes an alpha channel. Grey below 8 bits is scaled to 8 bits (1 becomes 255 at one
/// bit). 16-bit samples are returned exactly as stored: no gamma, ICC or colour conversion is
/// applied, whatever chunks the file carries.
public enum PNGDecoder {
    /// The default limit on width x height: 2^28 pixels (16384 x 16384), checked before any
    /// pixel memory is allocated, so a tiny file that claims a huge image is refused.
    public static let defaultMaxPixels = 1 << 28

    /// Whether `bytes` start with the 8-byte PNG signature.
    package static func hasSignature(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [137, 80, 78, 71, 13, 10, 26, 10])
    }

    /// Reads the PNG at `path` (`-` for standard input).
    public static func read(path: String, maxPixels: Int = defaultMaxPixels) throws -> Image {
        let bytes = try FileAccess.readAll(path)
        return try decode(bytes, name: path, maxPixels: maxPixels)
    }

    /// Decodes PNG bytes held in memory; `name` is used in error messages.
    public static func decode(
        _ bytes: [UInt8], name: String = "<memory>", maxPixels: Int = defaultMaxPixels
    ) throws -> Image {
        if bytes.isEmpty { throw ImageIOError.empty(path: name) }
        return try bytes.withUnsafeBufferPointer { buffer in
            let (decoder, info) = try open(buffer, maxPixels: UInt64(max(0, maxPixels)), name: name)
            defer { cpng_decoder_free(decoder) }
            var message = [CChar](repeating: 0, count: 256)
            let format = Self.format(of: info)
            let width = Int(info.width)
            let height = Int(info.height)
            let channels = Int(info.channels)
            let count = width * height * channels
            try requireRoomForPixelStream(info, fileBytes: buffer.count, name: name)
            var status: Int32 = 0
            let samples: Image.Samples
            if info.bit_depth == 16 {
                let values = [UInt16](unsafeUninitializedCapacity: count) { pointer, initialized in
                    status = cpng_decoder_read(
                        decoder, pointer.baseAddress, count * 2, &message, message.count)
                    initialized = count
                }
                samples = .uint16(values)
            } else {
                let values = [UInt8](unsafeUninitializedCapacity: count) { pointer, initialized in
                    status = cpng_decoder_read(
                        decoder, pointer.baseAddress, count, &message, message.count)
                    initialized = count
                }
                samples = .uint8(values)
            }
            guard status == Int32(CPNG_OK.rawValue) else {
                throw error(status: status, message: message, name: name)
            }
            return try Image(
                width: width, height: height, channels: channels, samples: samples, source: format)
        }
    }

    /// Largest expansion of deflate: 258-byte matches coded in under two bits each.
    static let deflateMaximumRatio = 1032

    /// Refuses, before the pixels are allocated, a header whose filtered pixel stream is larger
    /// than the file could inflate to: such a file is truncated, whatever its size limit.
    static func requireRoomForPixelStream(_ info: cpng_info, fileBytes: Int, name: String) throws {
        let sourceChannels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][Int(info.source_color_type)] ?? 4
        let rowBytes = (Int(info.width) * sourceChannels * Int(info.source_bit_depth) + 7) / 8 + 1
        let streamBytes = rowBytes.multipliedReportingOverflow(by: Int(info.height))
        guard streamBytes.overflow || streamBytes.partialValue > fileBytes * deflateMaximumRatio
        else { return }
        throw ImageIOError.truncated(
            path: name,
            detail: "the header claims \(info.width)x\(info.height) pixels, more than "
                + "its \(fileBytes) bytes can hold")
    }

    /// What a PNG header says, read without decoding any pixels.
    public struct Header: Sendable, Equatable {
        /// Width in pixels.
        public var width: Int
        /// Height in pixels.
        public var height: Int
        /// How the file stores the image.
        public var format: PNGFormat
        /// Channels after expansion (palette to RGB, tRNS to alpha).
        public var channels: Int
        /// Bits per sample after expansion: 8 or 16.
        public var decodedBitDepth: Int
    }

    /// Reads only the header of `bytes` (which may be just the first part of a file).
    public static func header(_ bytes: [UInt8], name: String = "<memory>") throws -> Header {
        if bytes.isEmpty { throw ImageIOError.empty(path: name) }
        return try bytes.withUnsafeBufferPointer { buffer in
            let (decoder, info) = try open(buffer, maxPixels: UInt64(Int64.max), name: name)
            cpng_decoder_free(decoder)
            return Header(
                width: Int(info.width), height: Int(info.height), format: format(of: info),
                channels: Int(info.channels), decodedBitDepth: Int(info.bit_depth))
        }
    }

    /// Reads the header of the PNG at `path`, reading no more of the file than the chunks
    /// before the image data.
    public static func header(path: String) throws -> Header {
        var prefixLength = 1 << 16
        while true {
            let prefix = try FileAccess.readPrefix(path, count: prefixLength)
            do {
                return try header(prefix, name: path)
            } catch ImageIOError.truncated(_, _) where prefix.count == prefixLength {
                prefixLength *= 8  // large ancillary chunks before IDAT: read further
            }
        }
    }

    /// Opens a decoder over `buffer` and reads the header; the caller frees the decoder.
    private static func open(
        _ buffer: UnsafeBufferPointer<UInt8>, maxPixels: UInt64, name: String
    ) throws -> (OpaquePointer, cpng_info) {
        var decoder: OpaquePointer?
        var info = cpng_info()
        var message = [CChar](repeating: 0, count: 256)
        let status = cpng_decoder_open(
            buffer.baseAddress, buffer.count, maxPixels, &decoder, &info, &message, message.count)
        guard status == Int32(CPNG_OK.rawValue), let decoder else {
            throw error(status: status, message: message, name: name)
        }
        return (decoder, info)
    }

    static func format(of info: cpng_info) -> PNGFormat {
        PNGFormat(
            colorType: PNGColorType(rawValue: Int(info.source_color_type)) ?? .gray,
            bitDepth: Int(info.source_bit_depth), interlaced: info.interlaced != 0,
            hasTransparencyChunk: info.has_trns != 0)
    }

    static func error(status: Int32, message: [CChar], name: String) -> ImageIOError {
        let detail = text(of: message)
        switch UInt32(status) {
        case CPNG_NOT_PNG.rawValue:
            return .notThisFormat(path: name, expected: "a PNG file (no PNG signature)")
        case CPNG_TRUNCATED.rawValue:
            return .truncated(path: name, detail: "the data ends before the image does")
        case CPNG_CRC.rawValue: return .crcMismatch(path: name, detail: detail)
        case CPNG_BAD_HEADER.rawValue: return .badHeader(path: name, detail: detail)
        case CPNG_TOO_LARGE.rawValue:
            return .exceedsPixelLimit(path: name, detail: detail)
        case CPNG_UNSUPPORTED.rawValue: return .unsupported(path: name, detail: detail)
        case CPNG_NO_MEMORY.rawValue: return .outOfMemory(path: name, task: "decoding the PNG")
        case CPNG_IO.rawValue: return .unreadable(path: name, reason: detail)
        default: return .corrupt(path: name, detail: detail)
        }
    }
}

/// The text of a NUL-terminated C message buffer.
func text(of message: [CChar]) -> String {
    String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
