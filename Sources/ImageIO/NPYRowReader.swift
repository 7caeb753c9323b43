// NPYRowReader: rows of a float32 .npy array read from the file as they are needed, so an array
// larger than memory can be filtered in bands.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads any rows of a float32 `.npy` array of shape (H, W) or (H, W, C), in any order, without
/// reading the rest of the file.
public final class NPYRowReader {
    public let path: String
    /// The array's shape: (H, W) or (H, W, C).
    public let shape: [Int]
    private let descriptor: Int32
    private let dataStart: Int
    private let littleEndian: Bool

    /// Rows (H).
    public var rows: Int { shape[0] }
    /// Columns (W).
    public var columns: Int { shape[1] }
    /// Values per pixel (C, or 1).
    public var channels: Int { shape.count == 3 ? shape[2] : 1 }

    /// Opens `path` and reads its header. Throws as ``NPY/read(path:)`` would for a header it
    /// cannot read or data shorter than the shape, and for a dtype other than float32 or a
    /// shape other than (H, W) or (H, W, C).
    public init(path: String) throws {
        self.path = path
        let header = try NPY.dataHeader(
            FileAccess.readPrefix(path, count: NPY.headerPrefixBytes), name: path)
        guard header.kind == "f4", (2...3).contains(header.shape.count) else {
            throw ImageIOError.unsupported(
                path: path,
                detail: "only float32 arrays of shape (H, W) or (H, W, C) are read by rows")
        }
        try NPY.requireData(of: header, fileBytes: FileAccess.fileSize(path), name: path)
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ImageIOError.unreadable(path: path, reason: systemError())
        }
        shape = header.shape
        dataStart = header.dataStart
        littleEndian = !header.descr.hasPrefix(">")
    }

    deinit {
        close(descriptor)
    }

    /// Rows `range`, each `columns * channels` values in the array's order.
    public func read(rows range: Range<Int>) throws -> [Float] {
        guard range.lowerBound >= 0, range.upperBound <= rows else {
            throw ImageIOError.corrupt(path: path, detail: "no rows \(range)")
        }
        let count = range.count * columns * channels
        let offset = dataStart + range.lowerBound * columns * channels * 4
        var bits = [UInt32](repeating: 0, count: count)
        var filled = 0
        let total = count * 4
        while filled < total {
            let got = bits.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress! + filled, total - filled, off_t(offset + filled))
            }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else {
                throw got == 0
                    ? ImageIOError.truncated(path: path, detail: "the file ends in row \(range)")
                    : ImageIOError.unreadable(path: path, reason: systemError())
            }
            filled += got
        }
        return bits.map {
            Float(bitPattern: littleEndian ? UInt32(littleEndian: $0) : UInt32(bigEndian: $0))
        }
    }
}
