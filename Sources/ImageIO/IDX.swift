// IDX: the array format of MNIST and its relatives, raw or gzip-compressed.

/// An IDX array: a type code, dimension sizes and big-endian element data.
package struct IDXArray: Sendable, Equatable {
    // Raw-valued cases, like PNGColorType's: the codes are the format's own.
    /// IDX element types with their type codes.
    package enum ElementType: UInt8, Sendable {
        case uint8 = 0x08
        case int8 = 0x09
        case int16 = 0x0B
        case int32 = 0x0C
        case float32 = 0x0D
        case float64 = 0x0E

        /// Bytes per element.
        package var size: Int {
            switch self {
            case .uint8, .int8: 1
            case .int16: 2
            case .int32, .float32: 4
            case .float64: 8
            }
        }
    }

    package var elementType: ElementType
    /// Dimension sizes, outermost first (for MNIST images: count, rows, columns).
    package var dimensions: [Int]
    /// The element bytes as stored: big-endian, row-major.
    package var data: [UInt8]

    /// Number of elements.
    package var count: Int { dimensions.reduce(1, *) }

    /// The elements as unsigned bytes, when the type is uint8 (MNIST images and labels).
    package var uint8Values: [UInt8]? { elementType == .uint8 ? data : nil }

    /// Every element converted to Double.
    package func doubleValues() -> [Double] {
        let size = elementType.size
        return (0..<count).map { index in
            var bits: UInt64 = 0
            for byte in 0..<size { bits = bits << 8 | UInt64(data[index * size + byte]) }
            switch elementType {
            case .uint8: return Double(bits)
            case .int8: return Double(Int8(truncatingIfNeeded: bits))
            case .int16: return Double(Int16(truncatingIfNeeded: bits))
            case .int32: return Double(Int32(truncatingIfNeeded: bits))
            case .float32: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
            case .float64: return Double(bitPattern: bits)
            }
        }
    }
}

/// Reads IDX files (`train-images-idx3-ubyte` and the like), raw or `.gz`.
package enum IDX {
    /// Reads the IDX file at `path`; gzip compression is detected from the content.
    package static func read(path: String) throws -> IDXArray {
        try decode(FileAccess.readAll(path), name: path)
    }

    /// Decodes IDX bytes (raw or gzip); `name` is used in error messages.
    package static func decode(_ bytes: [UInt8], name: String = "<memory>") throws -> IDXArray {
        if bytes.isEmpty { throw ImageIOError.empty(path: name) }
        let raw = Gzip.isCompressed(bytes) ? try Gzip.decompress(bytes, name: name) : bytes
        guard raw.count >= 4, raw[0] == 0, raw[1] == 0 else {
            throw ImageIOError.notThisFormat(
                path: name, expected: "an IDX file (magic must start with two zero bytes)")
        }
        guard let type = IDXArray.ElementType(rawValue: raw[2]) else {
            throw ImageIOError.badHeader(
                path: name, detail: String(format2: raw[2]) + " is not an IDX element type")
        }
        let dimensionCount = Int(raw[3])
        guard dimensionCount >= 1 else {
            throw ImageIOError.badHeader(path: name, detail: "IDX file with no dimensions")
        }
        let dataStart = 4 + 4 * dimensionCount
        guard raw.count >= dataStart else {
            throw ImageIOError.truncated(
                path: name, detail: "header declares \(dimensionCount) dimensions but ends early")
        }
        var dimensions = [Int]()
        var total = type.size
        for index in 0..<dimensionCount {
            let base = 4 + 4 * index
            let size =
                Int(raw[base]) << 24 | Int(raw[base + 1]) << 16 | Int(raw[base + 2]) << 8
                | Int(raw[base + 3])
            guard size > 0 else {
                throw ImageIOError.badHeader(path: name, detail: "dimension \(index) has size 0")
            }
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            guard !overflow, product <= 1 << 34 else {
                throw ImageIOError.badHeader(
                    path: name, detail: "dimensions \(dimensions + [size]) are too large")
            }
            total = product
            dimensions.append(size)
        }
        guard raw.count - dataStart >= total else {
            throw ImageIOError.truncated(
                path: name,
                detail:
                    "dimensions \(dimensions) need \(total) data bytes, found \(raw.count - dataStart)"
            )
        }
        guard raw.count - dataStart == total else {
            throw ImageIOError.corrupt(
                path: name,
                detail:
                    "\(raw.count - dataStart - total) bytes after the data that the dimensions \(dimensions) describe"
            )
        }
        return IDXArray(elementType: type, dimensions: dimensions, data: Array(raw[dataStart...]))
    }
}

extension String {
    /// A byte as `0xNN`.
    init(format2 byte: UInt8) {
        let digits = Array("0123456789ABCDEF")
        self = "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xf)])
    }
}
