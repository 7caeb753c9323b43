// KernelArrayFiles: kernels stored by other tools: numpy `.npy` arrays and libvips `.mat` matrices.

import ImageIO

enum KernelArrayFiles {
    /// A 2-D (or 1-D, read as one row) `.npy` array of floats or integers, or the weights of
    /// one single-channel filter as the frameworks store them: PyTorch's (1, 1, kh, kw) and
    /// Keras' (kh, kw, 1, 1), and in 3-D (1, kh, kw) (channels first) or (kh, kw, 1) (channels
    /// last, as convkit's images).
    static func readNPY(path: String) throws -> Kernel {
        let array: (shape: [Int], values: [Double])
        do {
            array = try NPY.decodeWidened(readBytes(path), name: path)
        } catch let error as ImageIOError {
            throw fileError(error, path: path)
        }
        let shape = try kernelShape(array.shape, path: path)
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

    /// The (rows, columns) of a kernel stored as an array of `shape`, read by its layout. Axes
    /// of length 1 are not simply dropped: (1, 3, 1, 1) is Keras' 1x3 kernel, which dropping the
    /// leading 1 first would read as 3 rows of 1.
    static func kernelShape(_ shape: [Int], path: String) throws -> [Int] {
        let text = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        switch shape.count {
        case 1: return [1, shape[0]]
        case 2: return shape
        case 3:
            // (1, 1, 1) and (1, 1, kw) read alike either way; (kh, 1, 1) is only (kh, kw, 1).
            if shape[0] == 1, shape[2] == 1, shape[1] != 1 {
                throw KernelError.badFile(
                    path: path,
                    detail:
                        "an array of shape \(text) is 1 row of \(shape[1]) as (kh, kw, 1) or \(shape[1]) rows of 1 as (1, kh, kw): save the kernel as a 2-D array"
                )
            }
            if shape[0] == 1 { return [shape[1], shape[2]] }
            if shape[2] == 1 { return [shape[0], shape[1]] }
        case 4:
            if shape[0] == 1, shape[1] == 1 { return [shape[2], shape[3]] }
            if shape[2] == 1, shape[3] == 1 { return [shape[0], shape[1]] }
            throw KernelError.badFile(
                path: path,
                detail:
                    "a 4-D kernel array is one filter of one channel, PyTorch's (1, 1, kh, kw) or Keras' (kh, kw, 1, 1); this one has shape \(text)"
            )
        default: break
        }
        throw KernelError.badFile(
            path: path, detail: "a kernel is a 2-D array, this one has shape \(shape)")
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
            switch numbers[2] {
            case .failure(let error):
                throw KernelError.badFile(path: path, detail: "line 1: scale \(error.reason)")
            case .success(let value) where value == 0:
                throw KernelError.badFile(
                    path: path, detail: "line 1: scale '\(fields[2])' is not a non-zero number")
            case .success(let value): scale = value
            }
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
                case .success(let value): weights.append(value)
                case .failure(let error):
                    throw KernelError.badFile(
                        path: path, detail: "row \(r + 1), column \(c + 1): \(error.reason)")
                }
            }
        }
        if fields.count >= 3,
            case (let index, let reason)? = KernelText.quotientBeyondRange(
                weights, divisor: scale, written: fields[2], what: "scale")
        {
            throw KernelError.badFile(
                path: path,
                detail: "row \(index / columns + 1), column \(index % columns + 1): \(reason)")
        }
        return try Kernel(
            name: path, rows: rows, columns: columns, weights: weights.map { $0 / scale })
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
