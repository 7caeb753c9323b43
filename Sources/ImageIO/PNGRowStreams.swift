// PNGRowStreams: PNG files read and written a few rows at a time (via CPNG's cpng_stream), so
// an image larger than memory passes through in bands.

import CPNG

/// A PNG file read from top to bottom, a band of rows at a time.
///
/// Rows come out as ``PNGDecoder`` decodes them (8 or 16 bits per sample, palettes expanded to
/// RGB, `tRNS` to alpha, host byte order). Interlaced files cannot be read by rows: `open(path:)`
/// returns them with ``isInterlaced`` set and no row can be read (decode them whole instead).
public final class PNGRowReader {
    public let path: String
    public let header: PNGDecoder.Header
    private var reader: OpaquePointer?
    /// The next row `read(rows:)` returns.
    public private(set) var nextRow = 0

    /// Opens `path` and reads its header; throws the errors ``PNGDecoder`` throws for the same
    /// file, and refuses a header that claims more pixels than the file could hold.
    public init(path: String) throws {
        self.path = path
        var info = cpng_info()
        var message = [CChar](repeating: 0, count: 256)
        let status = cpng_row_reader_open(path, &reader, &info, &message, message.count)
        guard status == Int32(CPNG_OK.rawValue), reader != nil else {
            throw PNGDecoder.error(status: status, message: message, name: path)
        }
        header = PNGDecoder.Header(
            width: Int(info.width), height: Int(info.height), format: PNGDecoder.format(of: info),
            channels: Int(info.channels), decodedBitDepth: Int(info.bit_depth))
        do {
            try PNGDecoder.requireRoomForPixelStream(
                info, fileBytes: try FileAccess.fileSize(path), name: path)
        } catch {
            cpng_row_reader_free(reader)
            reader = nil
            throw error
        }
    }

    deinit {
        cpng_row_reader_free(reader)
    }

    /// Whether the file is Adam7-interlaced (and so cannot be read by rows).
    public var isInterlaced: Bool { header.format.interlaced }

    /// Samples per row: width x channels.
    public var samplesPerRow: Int { header.width * header.channels }

    /// Reads the next `count` rows into `destination`, which holds `count * samplesPerRow`
    /// samples of `header.decodedBitDepth` bits (UInt8 or UInt16).
    public func read(rows count: Int, into destination: UnsafeMutableRawPointer) throws {
        guard let reader, !isInterlaced, count >= 0, nextRow + count <= header.height else {
            throw ImageIOError.corrupt(
                path: path, detail: "no rows \(nextRow)..<\(nextRow + count)")
        }
        var message = [CChar](repeating: 0, count: 256)
        let status = cpng_row_reader_read(
            reader, destination, UInt32(count), &message, message.count)
        guard status == Int32(CPNG_OK.rawValue) else {
            throw PNGDecoder.error(status: status, message: message, name: path)
        }
        nextRow += count
    }

    /// The next `count` rows as an image of the decoded bit depth.
    public func readImage(rows count: Int) throws -> Image {
        let samples: Image.Samples
        if header.decodedBitDepth == 16 {
            var values = [UInt16](repeating: 0, count: count * samplesPerRow)
            try values.withUnsafeMutableBytes { try read(rows: count, into: $0.baseAddress!) }
            samples = .uint16(values)
        } else {
            var values = [UInt8](repeating: 0, count: count * samplesPerRow)
            try values.withUnsafeMutableBytes { try read(rows: count, into: $0.baseAddress!) }
            samples = .uint8(values)
        }
        return try Image(
            width: header.width, height: count, channels: header.channels, samples: samples)
    }
}

/// A PNG file written from top to bottom into an open descriptor (inside
/// `FileAccess.writeAtomically(to:write:)`), a band of rows at a time.
public final class PNGRowWriter {
    public let path: String
    public let width: Int
    public let height: Int
    public let channels: Int
    public let bitDepth: Int
    private var writer: OpaquePointer?

    /// Writes the header of a `width` x `height` PNG with `channels` (1 to 4) samples of
    /// `bitDepth` (8 or 16) bits per pixel, and `chunks`; `path` names the file in errors.
    public init(
        descriptor: Int32, path: String, width: Int, height: Int, channels: Int, bitDepth: Int,
        compressionLevel: Int, chunks: PNGChunks = .none
    ) throws {
        self.path = path
        self.width = width
        self.height = height
        self.channels = channels
        self.bitDepth = bitDepth
        let colorType: PNGColorType =
            [1: .gray, 2: .grayAlpha, 3: .rgb, 4: .rgba][channels] ?? .gray
        var message = [CChar](repeating: 0, count: 256)
        let serialized = chunks.serialized
        let status = serialized.withUnsafeBufferPointer { chunkBytes in
            cpng_row_writer_open(
                descriptor, UInt32(width), UInt32(height), Int32(colorType.rawValue),
                Int32(bitDepth), Int32(compressionLevel), chunkBytes.baseAddress, chunkBytes.count,
                &writer, &message, message.count)
        }
        guard status == Int32(CPNG_OK.rawValue), writer != nil else {
            throw ImageIOError.writeFailed(path: path, reason: text(of: message))
        }
    }

    deinit {
        cpng_row_writer_free(writer)
    }

    /// Writes the next `count` rows of interleaved samples (UInt8 or UInt16 by ``bitDepth``);
    /// the file is complete once all ``height`` rows are written.
    public func write(rows count: Int, from samples: UnsafeRawPointer) throws {
        var message = [CChar](repeating: 0, count: 256)
        let status = cpng_row_writer_write(writer, samples, UInt32(count), &message, message.count)
        guard status == Int32(CPNG_OK.rawValue) else {
            throw ImageIOError.writeFailed(path: path, reason: text(of: message))
        }
    }

    /// Writes the rows of `image` (of this file's width, channels and bit depth) as the next.
    public func write(_ image: Image) throws {
        switch image.samples {
        case .uint8(let samples):
            try samples.withUnsafeBytes { try write(rows: image.height, from: $0.baseAddress!) }
        case .uint16(let samples):
            try samples.withUnsafeBytes { try write(rows: image.height, from: $0.baseAddress!) }
        }
    }
}

/// A `.npy` file written from top to bottom into an open descriptor, a band of rows at a time:
/// the header first (the shape is known), then the rows, little-endian.
public struct NPYRowWriter {
    public let path: String
    public let descriptor: Int32

    /// Writes the header of an array of `shape` ((H, W) or (H, W, C)) and `dtype` (numpy's
    /// code: `<f4`, `|u1` or `<u2`).
    public init(descriptor: Int32, path: String, shape: [Int], dtype: String = "<f4") throws {
        self.path = path
        self.descriptor = descriptor
        try FileAccess.writeFully(
            NPY.header(dtype: dtype, shape: shape), descriptor: descriptor, path: path)
    }

    /// Writes image samples in the array's order, for a `|u1` or `<u2` array.
    public func write(_ samples: Image.Samples) throws {
        switch samples {
        case .uint8(let values):
            try FileAccess.writeFully(values, descriptor: descriptor, path: path)
        case .uint16(let values):
            try values.map(\.littleEndian).withUnsafeBytes {
                try FileAccess.writeFully($0, descriptor: descriptor, path: path)
            }
        }
    }

    /// Writes values in the array's order (rows, then columns, then channels).
    public func write(_ values: [Float]) throws {
        var bytes = [UInt8](repeating: 0, count: values.count * 4)
        bytes.withUnsafeMutableBytes { raw in
            for (i, value) in values.enumerated() {
                raw.storeBytes(
                    of: value.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
            }
        }
        try FileAccess.writeFully(bytes, descriptor: descriptor, path: path)
    }
}
