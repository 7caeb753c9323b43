// NPY: numpy's .npy array format, the exact exchange format for float results.

import ConvkitSupport
import Foundation

/// An n-dimensional array as stored in a `.npy` file: C (row-major) order.
public struct NPYArray: Sendable, Equatable {
    // One case per dtype; Image.Samples has the same shape for its own sample types.
    /// The element values; the case fixes the dtype written to the file.
    public enum Values: Sendable, Equatable {
        /// `uint8` (`|u1`).
        case uint8([UInt8])
        /// `uint16` (`<u2`).
        case uint16([UInt16])
        /// `float32` (`<f4`).
        case float32([Float])
        /// `float64` (`<f8`).
        case float64([Double])

        /// Number of values in the buffer.
        public var count: Int {
            switch self {
            case .uint8(let v): v.count
            case .uint16(let v): v.count
            case .float32(let v): v.count
            case .float64(let v): v.count
            }
        }

        /// numpy's dtype string for the little-endian form convkit writes.
        public var dtype: String {
            switch self {
            case .uint8: "|u1"
            case .uint16: "<u2"
            case .float32: "<f4"
            case .float64: "<f8"
            }
        }

        /// Every value widened to Double.
        public var doubles: [Double] {
            switch self {
            case .uint8(let v): v.map(Double.init)
            case .uint16(let v): v.map(Double.init)
            case .float32(let v): v.map(Double.init)
            case .float64(let v): v
            }
        }
    }

    /// The dimensions, outermost first, as numpy's `shape`.
    public var shape: [Int]
    /// The values in C (row-major) order.
    public var values: Values

    /// Creates an array; the product of `shape` must equal the number of values.
    public init(shape: [Int], values: Values) throws {
        guard shape.allSatisfy({ $0 >= 0 }), NPY.product(shape) == values.count else {
            throw ImageIOError.invalidImage(
                "NPY shape \(shape) does not hold \(values.count) values")
        }
        self.init(checkedShape: shape, values: values)
    }

    /// For shapes already known to match the value count.
    init(checkedShape shape: [Int], values: Values) {
        self.shape = shape
        self.values = values
    }
}

/// Reads and writes `.npy` files (format versions 1.0 to 3.0, either byte order, C order only).
/// Arrays of uint8, uint16, float32 and float64 are read and written exactly; bool, the other
/// integers and float16 can be read widened to Double. The header of any numeric dtype
/// (complex and longdouble too) can be read; a structured dtype is refused as such.
public enum NPY {
    private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Whether `bytes` start with the `.npy` magic string `\x93NUMPY`.
    package static func hasMagic(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: magic)
    }

    /// Reads the `.npy` file at `path`.
    public static func read(path: String) throws -> NPYArray {
        try decode(FileAccess.readAll(path), name: path)
    }

    /// Decodes `.npy` bytes; `name` is used in error messages. The dtype must be uint8,
    /// uint16, float32 or float64 (the types kept exactly).
    public static func decode(_ bytes: [UInt8], name: String = "<memory>") throws -> NPYArray {
        let layout = try parseLayout(bytes, name: name)
        let data = layout.data
        let count = layout.count
        let littleEndian = layout.littleEndian
        let values: NPYArray.Values
        switch layout.kind {
        case "u1": values = .uint8(Array(data))
        case "u2":
            values = .uint16(
                unpack(data, count: count, littleEndian: littleEndian) {
                    UInt16(truncatingIfNeeded: $0)
                })
        case "f4":
            values = .float32(
                unpack(data, count: count, littleEndian: littleEndian) {
                    Float(bitPattern: UInt32(truncatingIfNeeded: $0))
                })
        case "f8":
            values = .float64(
                unpack(data, count: count, littleEndian: littleEndian) { Double(bitPattern: $0) })
        default:
            throw ImageIOError.unsupported(
                path: name,
                detail:
                    "dtype \(dtypeName(layout)) (convkit reads uint8, uint16, float32 and float64 arrays)"
            )
        }
        return NPYArray(checkedShape: layout.shape, values: values)
    }

    /// How ``decodeWidened(_:name:)`` turns the bits of one element (read into the low bytes
    /// of a UInt64) into a Double, by dtype kind of two or more bytes.
    private static let widening: [String: @Sendable (UInt64) -> Double] = [
        "u2": { Double(UInt16(truncatingIfNeeded: $0)) },
        "i2": { Double(Int16(truncatingIfNeeded: $0)) },
        "u4": { Double(UInt32(truncatingIfNeeded: $0)) },
        "i4": { Double(Int32(truncatingIfNeeded: $0)) },
        "u8": { Double($0) },
        "i8": { Double(Int64(bitPattern: $0)) },
        "f2": { doubleFromHalf(UInt16(truncatingIfNeeded: $0)) },
        "f4": { Double(Float(bitPattern: UInt32(truncatingIfNeeded: $0))) },
        "f8": { Double(bitPattern: $0) },
    ]

    /// Decodes `.npy` bytes of any numeric dtype (bool, signed and unsigned integers of 1 to 8
    /// bytes, float16/32/64) into Doubles, as `array.astype(np.float64)` would: exact except
    /// for 64-bit integers beyond 2^53. For small arrays such as kernels saved from numpy,
    /// whose default integer type is int64.
    package static func decodeWidened(_ bytes: [UInt8], name: String = "<memory>") throws -> (
        shape: [Int], values: [Double]
    ) {
        let layout = try parseLayout(bytes, name: name)
        if layout.kind == "b1" || layout.kind == "u1" {
            return (layout.shape, layout.data.map(Double.init))
        }
        if layout.kind == "i1" {
            return (layout.shape, layout.data.map { Double(Int8(bitPattern: $0)) })
        }
        guard let widen = widening[String(layout.kind)] else {
            throw ImageIOError.unsupported(
                path: name,
                detail: layout.kind.hasPrefix("c")
                    ? "dtype \(dtypeName(layout)) is not a real number type"
                    : "dtype \(dtypeName(layout)) (convkit reads bool, integers of 1 to 8 bytes, float16, float32 and float64)"
            )
        }
        let values = unpack(
            layout.data, count: layout.count, littleEndian: layout.littleEndian, widen)
        return (layout.shape, values)
    }

    /// What an `.npy` header says: the shape and the dtype, by numpy's name (`float32`).
    public struct Header: Sendable, Equatable {
        /// The dimensions, outermost first.
        public var shape: [Int]
        /// numpy's name for the element type, such as `float32` or `int64`.
        public var dtype: String
    }

    /// Reads the header of `.npy` bytes (any numeric dtype), checking that the data is all there.
    public static func header(_ bytes: [UInt8], name: String = "<memory>") throws -> Header {
        let layout = try parseLayout(bytes, name: name)
        return Header(shape: layout.shape, dtype: dtypeName(layout))
    }

    /// numpy's name for a layout's dtype (`float32`, `int64`, `bool`), or its escaped code.
    private static func dtypeName(_ layout: Layout) -> String {
        dtypeName(layout.kind, descr: layout.descr)
    }

    /// numpy's name for the dtype `kind` (`f4`: `float32`), or the escaped `descr`.
    private static func dtypeName(_ kind: Substring, descr: String) -> String {
        // numpy names longdouble and clongdouble by their storage size: float128, complex256
        // on x86-64 Linux (80-bit extended padded to 16 bytes), float96 on 32-bit x86.
        let names: [Substring: String] = [
            "b1": "bool", "u1": "uint8", "i1": "int8", "u2": "uint16", "i2": "int16",
            "u4": "uint32", "i4": "int32", "u8": "uint64", "i8": "int64", "f2": "float16",
            "f4": "float32", "f8": "float64", "f12": "float96", "f16": "float128",
            "c8": "complex64", "c16": "complex128", "c24": "complex192", "c32": "complex256",
        ]
        return names[kind] ?? "'\(escapedForMessage(descr))'"
    }

    /// Where an array's elements are and how to read them.
    private struct Layout {
        var shape: [Int]
        var count: Int
        var descr: String
        /// The dtype without its byte-order mark: "f4", "i8", "u1", ...
        var kind: Substring
        var littleEndian: Bool
        var data: ArraySlice<UInt8>
    }

    private static func parseLayout(_ bytes: [UInt8], name: String) throws -> Layout {
        let header = try dataHeader(bytes, name: name)
        let needed = try requireData(of: header, fileBytes: bytes.count, name: name)
        return Layout(
            shape: header.shape, count: header.count, descr: header.descr, kind: header.kind,
            littleEndian: !header.descr.hasPrefix(">"),
            data: bytes[header.dataStart..<(header.dataStart + needed)])
    }

    /// What the header of an `.npy` file says about its data: shape, dtype and where it starts.
    package struct DataHeader: Sendable {
        package var shape: [Int]
        package var count: Int
        package var descr: String
        /// The dtype without its byte-order mark: "f4", "i8", "u1", ...
        package var kind: Substring
        package var elementSize: Int
        package var dataStart: Int
    }

    /// The data bytes `header` describes, after checking that a file of `fileBytes` holds
    /// them all.
    @discardableResult
    package static func requireData(of header: DataHeader, fileBytes: Int, name: String) throws
        -> Int
    {
        let needed = header.count * header.elementSize
        guard fileBytes - header.dataStart >= needed else {
            throw ImageIOError.truncated(
                path: name,
                detail:
                    "shape \(header.shape) needs \(needed) data bytes, found \(fileBytes - header.dataStart)"
            )
        }
        return needed
    }

    /// Reads the header of the `.npy` file at `path` (any numeric dtype) without reading its
    /// data, checking that the file is long enough to hold it.
    public static func header(path: String) throws -> Header {
        let header = try dataHeader(
            FileAccess.readPrefix(path, count: headerPrefixBytes), name: path)
        try requireData(of: header, fileBytes: FileAccess.fileSize(path), name: path)
        return Header(shape: header.shape, dtype: dtypeName(header.kind, descr: header.descr))
    }

    /// Bytes that hold every `.npy` header: the 10- or 12-byte preamble and a header of up to
    /// 64 KiB (numpy writes a few hundred bytes at most).
    package static let headerPrefixBytes = 12 + 65536

    /// Parses the header at the start of `bytes` (the data need not follow).
    package static func dataHeader(_ bytes: [UInt8], name: String) throws -> DataHeader {
        if bytes.isEmpty { throw ImageIOError.empty(path: name) }
        guard bytes.count >= 10, hasMagic(bytes) else {
            throw ImageIOError.notThisFormat(
                path: name, expected: "a .npy file (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLengthSize = major == 1 ? 2 : 4
        guard (1...3).contains(major) else {
            throw ImageIOError.unsupported(
                path: name, detail: "NPY format version \(major).\(bytes[7])")
        }
        guard bytes.count >= 8 + headerLengthSize else {
            throw ImageIOError.truncated(path: name, detail: "header length missing")
        }
        var headerLength = 0
        for offset in (0..<headerLengthSize).reversed() {
            headerLength = headerLength << 8 | Int(bytes[8 + offset])
        }
        let dataStart = 8 + headerLengthSize + headerLength
        guard bytes.count >= dataStart else {
            throw ImageIOError.truncated(path: name, detail: "header ends early")
        }
        let header = String(decoding: bytes[(8 + headerLengthSize)..<dataStart], as: UTF8.self)
        let fields = try parseHeader(header, name: name)
        guard !fields.fortranOrder else {
            throw ImageIOError.unsupported(
                path: name, detail: "Fortran-ordered arrays (save with np.ascontiguousarray)")
        }
        let (count, overflow) = fields.shape.reduce((1, false)) { partial, size in
            let (value, o) = partial.0.multipliedReportingOverflow(by: size)
            return (value, partial.1 || o)
        }
        guard !overflow, count <= Int32.max else {
            throw ImageIOError.badHeader(path: name, detail: "shape \(fields.shape) is too large")
        }
        let kind = fields.descr.drop { "<>|=".contains($0) }
        // The numeric dtypes: bool, integers, floats (float16 to longdouble) and complex.
        let sizes: [Character: [Int]] = [
            "b": [1], "i": [1, 2, 4, 8], "u": [1, 2, 4, 8], "f": [2, 4, 8, 12, 16],
            "c": [8, 16, 24, 32],
        ]
        guard let letter = kind.first, let elementSize = Int(String(kind.dropFirst())),
            sizes[letter]?.contains(elementSize) == true
        else {
            throw ImageIOError.unsupported(
                path: name, detail: "dtype '\(escapedForMessage(fields.descr))'")
        }
        return DataHeader(
            shape: fields.shape, count: count, descr: fields.descr, kind: kind,
            elementSize: elementSize, dataStart: dataStart)
    }

    /// Encodes an array as `.npy` version 1.0 bytes, little-endian, header padded to 64 bytes.
    public static func encode(_ array: NPYArray) -> [UInt8] {
        var bytes = header(dtype: array.values.dtype, shape: array.shape)
        switch array.values {
        case .uint8(let v): bytes += v
        case .uint16(let v): appendLittleEndian(v.map { UInt64($0) }, size: 2, to: &bytes)
        case .float32(let v):
            appendLittleEndian(v.map { UInt64($0.bitPattern) }, size: 4, to: &bytes)
        case .float64(let v): appendLittleEndian(v.map { $0.bitPattern }, size: 8, to: &bytes)
        }
        return bytes
    }

    /// The magic, version and header of a version 1.0 file of `dtype` (such as `<f4`) and
    /// `shape`, padded to 64 bytes: what precedes the data.
    static func header(dtype: String, shape: [Int]) -> [UInt8] {
        let shapeText =
            shape.count == 1
            ? "(\(shape[0]),)"
            : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(dtype)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        return magic + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)]
            + Array(header.utf8)
    }

    /// Writes `array` to `path` atomically. On a little-endian machine the header and then the
    /// values' own storage go to the file, with no encoded copy of the array in between (for a
    /// large image, a copy's first touch of fresh pages cost as much system time as the write).
    public static func write(_ array: NPYArray, to path: String) throws {
        guard 1.littleEndian == 1 else {
            try FileAccess.writeAtomically(encode(array), to: path)
            return
        }
        try FileAccess.writeAtomically(to: path) { descriptor in
            try FileAccess.writeFully(
                header(dtype: array.values.dtype, shape: array.shape), descriptor: descriptor,
                path: path)
            func values<T>(_ values: [T]) throws {
                try values.withUnsafeBytes {
                    try FileAccess.writeFully($0, descriptor: descriptor, path: path)
                }
            }
            switch array.values {
            case .uint8(let v): try values(v)
            case .uint16(let v): try values(v)
            case .float32(let v): try values(v)
            case .float64(let v): try values(v)
            }
        }
    }

    static func product(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    private struct HeaderFields {
        var descr: String
        var fortranOrder: Bool
        var shape: [Int]
    }

    /// Parses the Python-literal dict of an .npy header, e.g.
    /// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
    private static func parseHeader(_ header: String, name: String) throws -> HeaderFields {
        func value(of key: String) -> Substring? {
            guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"")
            else { return nil }
            var rest = header[keyRange.upperBound...].drop { $0 == " " }
            guard rest.first == ":" else { return nil }
            rest = rest.dropFirst().drop { $0 == " " }
            return rest
        }
        if let descrText = value(of: "descr"), descrText.first == "[" {
            throw ImageIOError.unsupported(
                path: name,
                detail:
                    "a structured dtype \(escapedForMessage(structuredDescr(descrText))) (named fields), which convkit does not read"
            )
        }
        guard let descrText = value(of: "descr"), let quote = descrText.first,
            quote == "'" || quote == "\"",
            let end = descrText.dropFirst().firstIndex(of: quote)
        else {
            throw ImageIOError.badHeader(path: name, detail: "NPY header has no 'descr'")
        }
        let descr = String(descrText[descrText.index(after: descrText.startIndex)..<end])
        guard let orderText = value(of: "fortran_order") else {
            throw ImageIOError.badHeader(path: name, detail: "NPY header has no 'fortran_order'")
        }
        let fortran = orderText.hasPrefix("True")
        guard let shapeText = value(of: "shape"), shapeText.first == "(",
            let close = shapeText.firstIndex(of: ")")
        else {
            throw ImageIOError.badHeader(path: name, detail: "NPY header has no 'shape'")
        }
        let inner = shapeText[shapeText.index(after: shapeText.startIndex)..<close]
        var shape = [Int]()
        for part in inner.split(separator: ",") {
            let trimmed = part.trimmingSpaces().filter { $0 != "L" }  // Python 2 wrote 3L
            if trimmed.isEmpty { continue }
            guard let size = Int(trimmed), size >= 0 else {
                throw ImageIOError.badHeader(
                    path: name,
                    detail: "NPY shape entry '\(escapedForMessage(trimmed))' is not a size")
            }
            shape.append(size)
        }
        return HeaderFields(descr: descr, fortranOrder: fortran, shape: shape)
    }

    /// The list of a structured dtype's `descr` at the start of `text`, `[('a', '<f4'), ...]`,
    /// to its closing bracket (or 200 characters and `...`).
    private static func structuredDescr(_ text: Substring) -> String {
        var depth = 0
        var quote: Character?
        var end = text.endIndex
        for index in text.indices {
            let character = text[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "[" {
                depth += 1
            } else if character == "]" {
                depth -= 1
                if depth == 0 {
                    end = text.index(after: index)
                    break
                }
            }
        }
        let list = text[..<end]
        return list.count <= 200 ? String(list) : String(list.prefix(200)) + "..."
    }

    private static func unpack<T>(
        _ data: ArraySlice<UInt8>, count: Int, littleEndian: Bool, _ make: (UInt64) -> T
    ) -> [T] {
        let size = data.count / max(count, 1)
        var result = [T]()
        result.reserveCapacity(count)
        data.withUnsafeBufferPointer { buffer in
            for index in 0..<count {
                var bits: UInt64 = 0
                let base = index * size
                for byte in 0..<size {
                    let shift = littleEndian ? byte : size - 1 - byte
                    bits |= UInt64(buffer[base + byte]) << (8 * shift)
                }
                result.append(make(bits))
            }
        }
        return result
    }

    private static func appendLittleEndian(_ values: [UInt64], size: Int, to bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + values.count * size)
        for value in values {
            for byte in 0..<size { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * byte))) }
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }),
            let last = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}

extension Image {
    /// The image as an array of shape (height, width) for one channel, or (height, width,
    /// channels) otherwise, keeping the sample type (uint8 or uint16).
    public func npyArray() -> NPYArray {
        let shape = channels == 1 ? [height, width] : [height, width, channels]
        switch samples {
        case .uint8(let v): return NPYArray(checkedShape: shape, values: .uint8(v))
        case .uint16(let v): return NPYArray(checkedShape: shape, values: .uint16(v))
        }
    }
}

/// The value of an IEEE 754 half-precision bit pattern.
func doubleFromHalf(_ bits: UInt16) -> Double {
    let sign: Double = bits & 0x8000 == 0 ? 1 : -1
    let exponent = Int(bits >> 10 & 0x1f)
    let fraction = Double(bits & 0x3ff)
    switch exponent {
    case 0: return sign * fraction * 0x1p-24
    case 31: return fraction == 0 ? sign * .infinity : .nan
    default:
        return sign * (1 + fraction / 1024)
            * Double(sign: .plus, exponent: exponent - 15, significand: 1)
    }
}
