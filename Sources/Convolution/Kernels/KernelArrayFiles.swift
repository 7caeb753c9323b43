// KernelArrayFiles: kernels stored by other tools: numpy `.npy` arrays and libvips `.mat` matrices.

import ImageIO

enum KernelArrayFiles {
    /// A 2-D (or 1-D, read as one row) `.npy` array of floats or integers. Leading and trailing
    /// axes of length 1 are dropped, so PyTorch's (1, 1, kh, kw) and Keras' (kh, kw, 1, 1)
    /// weights load as they are.
    static func readNPY(path: String) throws -> Kernel {
        let array: NPYArray
        var bytes = try readBytes(path)
        let reinterpret = IntegerDType.rewrite(&bytes)
        do {
            array = try NPY.decode(bytes, name: path)
        } catch let error as ImageIOError {
            throw fileError(error, path: path)
        }
        var shape = array.shape
        while shape.count > 2, shape.first == 1 { shape.removeFirst() }
        while shape.count > 2, shape.last == 1 { shape.removeLast() }
        if shape.count == 1 { shape.insert(1, at: 0) }
        guard shape.count == 2 else {
            throw KernelError.badFile(path: path, detail: "a kernel is a 2-D array, this one has shape \(array.shape)")
        }
        let weights = reinterpret.map { $0.values(of: array.values) } ?? array.values.doubles
        guard (1...4096).contains(shape[0]), (1...4096).contains(shape[1]) else {
            throw KernelError.badFile(path: path, detail: "a kernel has 1 to 4096 rows and columns, this array has shape \(array.shape)")
        }
        do {
            return try Kernel(name: path, rows: shape[0], columns: shape[1], weights: weights)
        } catch let error as KernelError {
            throw KernelError.badFile(path: path, detail: "\(error)")
        }
    }

    /// A libvips matrix file: a header line `width height [scale [offset]]`, then `height`
    /// lines of `width` numbers. Weights are divided by `scale`, as `vips conv` does; a non-zero
    /// offset has no kernel equivalent and is refused.
    static func readMat(path: String) throws -> Kernel {
        let text = String(decoding: try readBytes(path), as: UTF8.self)
        let lines = text.split(separator: "\n").map { KernelText.trim($0) }.filter { !$0.isEmpty }
        guard let header = lines.first else { throw KernelError.badFile(path: path, detail: "empty matrix file") }
        let fields = KernelText.entries(header)
        let numbers = fields.map { KernelText.number($0) }
        guard (2...4).contains(fields.count), case .success(let width) = numbers[0], case .success(let height) = numbers[1],
              width == width.rounded(), height == height.rounded(), (1...4096).contains(width), (1...4096).contains(height) else {
            throw KernelError.badFile(path: path, detail: "line 1: expected 'width height [scale [offset]]', got '\(header)'")
        }
        var scale = 1.0
        if fields.count >= 3 {
            guard case .success(let value) = numbers[2], value != 0 else {
                throw KernelError.badFile(path: path, detail: "line 1: scale '\(fields[2])' is not a non-zero number")
            }
            scale = value
        }
        if fields.count == 4 {
            guard case .success(let offset) = numbers[3], offset == 0 else {
                throw KernelError.badFile(path: path, detail: "line 1: offset '\(fields[3])' is not supported (a kernel has no offset; see filter --range offset)")
            }
        }
        let (rows, columns) = (Int(height), Int(width))
        guard lines.count - 1 == rows else {
            throw KernelError.badFile(path: path, detail: "the header says \(rows) rows, the file has \(lines.count - 1)")
        }
        var weights = [Double]()
        for (r, line) in lines.dropFirst().enumerated() {
            let entries = KernelText.entries(line)
            guard entries.count == columns else {
                throw KernelError.badFile(path: path, detail: "row \(r + 1) has \(entries.count) numbers, the header says \(columns)")
            }
            for (c, token) in entries.enumerated() {
                switch KernelText.number(token) {
                case .success(let value): weights.append(value / scale)
                case .failure(let error): throw KernelError.badFile(path: path, detail: "row \(r + 1), column \(c + 1): \(error.reason)")
                }
            }
        }
        return try Kernel(name: path, rows: rows, columns: columns, weights: weights)
    }

    static func readBytes(_ path: String) throws -> [UInt8] {
        do {
            return try FileAccess.readAll(path)
        } catch let error as ImageIOError {
            throw fileError(error, path: path)
        }
    }

    /// An ImageIO failure as a kernel file error, without repeating the path.
    static func fileError(_ error: ImageIOError, path: String) -> KernelError {
        let message = error.description
        let prefix = path + ": "
        return .badFile(path: path, detail: message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message)
    }
}

/// numpy integer and boolean dtypes, which ImageIO's NPY reader does not decode, read through a
/// same-width dtype it does decode: the header's dtype letter is rewritten in place (the header
/// keeps its length) and the decoded bit patterns are reinterpreted as the integers they were.
/// `np.save('k.npy', np.array([[-1, 0, 1]]))` writes int64, so this is the common case.
enum IntegerDType {
    case int8, int16, int32, int64, uint32, uint64, bool

    /// Rewrites an integer dtype in the header of `bytes`; returns how to read the values back.
    static func rewrite(_ bytes: inout [UInt8]) -> IntegerDType? {
        guard bytes.count > 10 else { return nil }
        let searchEnd = min(bytes.count, 8 + 4 + 65_535)
        let key = Array("descr".utf8)
        guard let keyStart = (0..<(searchEnd - key.count)).first(where: { Array(bytes[$0..<($0 + key.count)]) == key }) else { return nil }
        // Skip `descr': '` (quotes, colon, spaces) to the dtype's byte-order character.
        var index = keyStart + key.count
        while index < searchEnd, [UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: ":"), UInt8(ascii: " ")].contains(bytes[index]) { index += 1 }
        guard index + 2 < searchEnd, "<>|=".utf8.contains(bytes[index]) else { return nil }
        let kind = bytes[index + 1], size = bytes[index + 2]
        let replacement: (UInt8, UInt8, IntegerDType)
        switch (kind, size) {
        case (UInt8(ascii: "i"), UInt8(ascii: "1")): replacement = (UInt8(ascii: "u"), size, .int8)
        case (UInt8(ascii: "b"), UInt8(ascii: "1")): replacement = (UInt8(ascii: "u"), size, .bool)
        case (UInt8(ascii: "i"), UInt8(ascii: "2")): replacement = (UInt8(ascii: "u"), size, .int16)
        case (UInt8(ascii: "i"), UInt8(ascii: "4")): replacement = (UInt8(ascii: "f"), size, .int32)
        case (UInt8(ascii: "u"), UInt8(ascii: "4")): replacement = (UInt8(ascii: "f"), size, .uint32)
        case (UInt8(ascii: "i"), UInt8(ascii: "8")): replacement = (UInt8(ascii: "f"), size, .int64)
        case (UInt8(ascii: "u"), UInt8(ascii: "8")): replacement = (UInt8(ascii: "f"), size, .uint64)
        default: return nil
        }
        bytes[index + 1] = replacement.0
        return replacement.2
    }

    /// The integers whose bit patterns were decoded as `values`.
    func values(of values: NPYArray.Values) -> [Double] {
        switch (self, values) {
        case (.int8, .uint8(let v)): v.map { Double(Int8(bitPattern: $0)) }
        case (.bool, .uint8(let v)): v.map { $0 == 0 ? 0 : 1 }
        case (.int16, .uint16(let v)): v.map { Double(Int16(bitPattern: $0)) }
        case (.int32, .float32(let v)): v.map { Double(Int32(bitPattern: $0.bitPattern)) }
        case (.uint32, .float32(let v)): v.map { Double($0.bitPattern) }
        case (.int64, .float64(let v)): v.map { Double(Int64(bitPattern: $0.bitPattern)) }
        case (.uint64, .float64(let v)): v.map { Double($0.bitPattern) }
        default: values.doubles
        }
    }
}
