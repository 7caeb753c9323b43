// PaddedPlane: the image extended by the boundary rule, the one buffer the fast paths read.

/// The input extended by `geometry.before`/`after` cells on each side with the boundary rule,
/// in Float32, row-major. Fast paths then compute a valid correlation over it, so every path
/// handles every boundary rule the same way.
struct PaddedPlane {
    let rows: Int
    let columns: Int
    var values: [Float]

    init(_ input: Plane<Float>, geometry: ConvolutionGeometry, boundary: BoundaryRule, threads: Int) {
        let rows = geometry.padded.rows, columns = geometry.padded.columns
        self.rows = rows
        self.columns = columns
        let fill: Float
        if case .fill(let value) = boundary { fill = Float(value) } else { fill = 0 }
        let columnSource = (0..<columns).map { boundary.sourceIndex($0 - geometry.before.columns, count: input.columns) ?? -1 }
        let left = geometry.before.columns, inputColumns = input.columns, inputRows = input.rows
        let top = geometry.before.rows, paddedColumns = columns
        values = [Float](unsafeUninitializedCapacity: rows * columns) { buffer, initialized in
            let out = SharedPointer(base: buffer.baseAddress!)
            input.values.withUnsafeBufferPointer { source in
                let inPointer = SharedConstPointer(base: source.baseAddress!)
                Parallel.forEachBand(count: rows, threads: threads, minimumBand: 64) { band in
                    for row in band {
                        let destination = out.base + row * paddedColumns
                        guard let sourceRow = boundary.sourceIndex(row - top, count: inputRows) else {
                            destination.update(repeating: fill, count: paddedColumns)
                            continue
                        }
                        let from = inPointer.base + sourceRow * inputColumns
                        (destination + left).update(from: from, count: inputColumns)
                        for column in 0..<left {
                            let index = columnSource[column]
                            destination[column] = index < 0 ? fill : from[index]
                        }
                        for column in (left + inputColumns)..<paddedColumns {
                            let index = columnSource[column]
                            destination[column] = index < 0 ? fill : from[index]
                        }
                    }
                }
            }
            initialized = rows * columns
        }
    }
}
