// KernelArrayFiles: kernels stored by other tools: numpy `.npy` arrays and libvips `.mat` matrices.

import ImageIO

enum KernelArrayFiles {
    /// A 2-D (or 1-D, read as one row) `.npy` array of floats or integers. Leading and trailing
    /// axes of length 1 are dropped, so PyTorch's (1, 1, kh, kw) and Keras' (kh, kw, 1, 1)
    /// weights load as they are.
    static func readNPY(path: String) throws -> Kernel {
        let array: (shape: [Int], values: [Double])
        do {
            array = try NPY.decodeWidened(readBytes(path), name: path)
        } catch let error as ImageIOError {
            throw fileError(error, path: path)
        }
        var shape = array.shape
        while shape.count > 2, shape.first == 1 { shape.removeFirst() }
        while shape.count > 2, shape.last == 1 { shape.removeLast() }
        if shape.count == 1 { shape.insert(1, at: 0) }
        guard shape.count == 2 else {
            throw KernelError.badFile(
                path: path, detail: "a kernel is a 2-D array, this one has shape \(array.shape)")
        }
        let weights = array.values
        guard (1...4096).contains(shape[0]), (1...4096).contains(shape[1]) else {
            throw KernelError.badFile(
                path: path,
                detail:
                    "a kernel has 1 to 4096 rows and columns, this array has shape \(array.shape)")
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
        let lines = TextLines.of(text).map { KernelText.trim($0) }.filter { !$0.isEmpty }
        guard let header = lines.first else {
            throw KernelError.badFile(path: path, detail: "empty matrix file")
        }
        let fields = KernelText.entries(header)
        let numbers = fields.map { KernelText.number($0) }
        guard (2...4).contains(fields.count), case .success(let width) = numbers[0],
            case .success(let height) = numbers[1],
            width == width.rounded(), height == height.rounded(), (1...4096).contains(width),
            (1...4096).contains(height)
        else {
            throw KernelError.badFile(
                path: path,
                detail: "line 1: expected 'width height [scale [offset]]', got '\(header)'")
        }
        var scale = 1.0
        if fields.count >= 3 {
            guard case .success(let value) = numbers[2], value != 0 else {
                throw KernelError.badFile(
                    path: path, detail: "line 1: scale '\(fields[2])' is not a non-zero number")
            }
            scale = value
        }
        if fields.count == 4 {
            guard case .success(let offset) = numbers[3], offset == 0 else {
                throw KernelError.unsupportedOffset(path: path, offset: String(fields[3]))
            }
        }
        let (rows, columns) = (Int(height), Int(width))
        guard lines.count - 1 == rows else {
            throw KernelError.badFile(
                path: path, detail: "the header says \(rows) rows, the file has \(lines.count - 1)")
        }
        var weights = [Double]()
        for (r, line) in lines.dropFirst().enumerated() {
            let entries = KernelText.entries(line)
            guard entries.count == columns else {
                throw KernelError.badFile(
                    path: path,
                    detail: "row \(r + 1) has \(entries.count) numbers, the header says \(columns)")
            }
            for (c, token) in entries.enumerated() {
                switch KernelText.number(token) {
                case .success(let value): weights.append(value / scale)
                case .failure(let error):
                    throw KernelError.badFile(
                        path: path, detail: "row \(r + 1), column \(c + 1): \(error.reason)")
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
        return .badFile(
            path: path,
            detail: message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message)
    }
}
