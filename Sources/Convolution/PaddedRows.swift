// PaddedRows: rows of the boundary-extended image, read in place or made on demand into small
// cache-resident buffers.

/// The input as if extended by `geometry.before`/`after` cells on each side with the boundary
/// rule, without ever building the extended image: any stretch of any extended row can be
/// copied out, and kernel rows can be correlated straight from the input rows (the columns by
/// the left and right edges through the boundary rule). Every path handles every boundary rule
/// the same way at the memory cost of a few rows.
struct PaddedRows: @unchecked Sendable {
    let input: UnsafePointer<Float>
    let inputRows: Int
    let inputColumns: Int
    let top: Int
    let left: Int
    /// The extended image's size.
    let rows: Int
    let columns: Int
    let boundary: BoundaryRule
    let fill: Float
    /// For each extended column, the input column that supplies it, or -1 for the fill value.
    let columnSource: [Int]
    /// A row of `fill` values standing in for the rows `.fill` adds above and below.
    private let fillRow: FillRow

    /// `input` must stay valid while this value is used (the caller holds the array).
    init(
        input: UnsafePointer<Float>, inputRows: Int, inputColumns: Int,
        geometry: ConvolutionGeometry, boundary: BoundaryRule
    ) {
        self.input = input
        self.inputRows = inputRows
        self.inputColumns = inputColumns
        top = geometry.before.rows
        left = geometry.before.columns
        rows = geometry.padded.rows
        columns = geometry.padded.columns
        self.boundary = boundary
        if case .fill(let value) = boundary { fill = Float(value) } else { fill = 0 }
        let left = self.left
        columnSource = (0..<geometry.padded.columns).map {
            boundary.sourceIndex($0 - left, count: inputColumns) ?? -1
        }
        fillRow = FillRow(value: fill, count: inputColumns)
    }

    /// The input row that supplies extended row `row` (inside the extended image), or a row of
    /// the fill value.
    func line(_ row: Int) -> UnsafePointer<Float> {
        guard let sourceRow = boundary.sourceIndex(row - top, count: inputRows) else {
            return UnsafePointer(fillRow.values)
        }
        return input + sourceRow * inputColumns
    }

    /// One row of a valid correlation with a `kernelRows x kernelColumns` kernel dilated by
    /// `dilation` along the row: `output[x]` for `x < count` is the sum over taps `(r, c)`, in
    /// order from zero as ``weightedSum`` adds them, of `weights[r * kernelColumns + c]` times
    /// extended row `lines[r]` (from ``line(_:)``) at column `x + c * dilation`. Columns whose
    /// taps all fall inside the input are summed in place with SIMD; the few by the left and
    /// right edges go through the boundary rule one value at a time. `sources` is scratch for
    /// `kernelRows * kernelColumns` pointers; `fused` as in ``weightedSum``.
    func correlate(
        lines: UnsafePointer<UnsafePointer<Float>>, kernelRows: Int, kernelColumns: Int,
        dilation: Int, weights: UnsafePointer<Float>, count: Int,
        into output: UnsafeMutablePointer<Float>,
        sources: UnsafeMutablePointer<UnsafePointer<Float>>, fused: Bool
    ) {
        let span = (kernelColumns - 1) * dilation + 1
        let lower = min(left, count)
        let upper = max(lower, min(count, left + inputColumns - span + 1))
        if upper > lower {
            for r in 0..<kernelRows {
                for c in 0..<kernelColumns {
                    sources[r * kernelColumns + c] = lines[r] + (lower - left + c * dilation)
                }
            }
            weightedSum(
                sources: sources, weights: weights, taps: kernelRows * kernelColumns,
                count: upper - lower, into: output + lower, fused: fused)
        }
        columnSource.withUnsafeBufferPointer { map in
            func edge(_ columns: Range<Int>) {
                for x in columns {
                    var sum: Float = 0
                    for r in 0..<kernelRows {
                        for c in 0..<kernelColumns {
                            let column = map[x + c * dilation]
                            sum = addTap(
                                sum, column >= 0 ? lines[r][column] : fill,
                                weights[r * kernelColumns + c], fused: fused)
                        }
                    }
                    output[x] = sum
                }
            }
            edge(0..<lower)
            edge(upper..<count)
        }
    }

    /// Copies extended row `row`, columns `start ..< start + count`, into `destination`. Cells
    /// past the extended image's right or bottom edge become 0 (FFT tiles run past it).
    func copy(row: Int, start: Int, count: Int, into destination: UnsafeMutablePointer<Float>) {
        let end = start + count
        guard row < rows, let sourceRow = boundary.sourceIndex(row - top, count: inputRows) else {
            for x in start..<end { destination[x - start] = row < rows && x < columns ? fill : 0 }
            return
        }
        let from = input + sourceRow * inputColumns
        let interiorStart = max(start, left)
        let interiorEnd = min(end, left + inputColumns)
        if interiorEnd > interiorStart {
            (destination + (interiorStart - start)).update(
                from: from + (interiorStart - left), count: interiorEnd - interiorStart)
        }
        columnSource.withUnsafeBufferPointer { map in
            var x = start
            while x < end {
                if x >= interiorStart && x < interiorEnd {
                    x = interiorEnd
                    continue
                }
                destination[x - start] = x >= columns ? 0 : (map[x] >= 0 ? from[map[x]] : fill)
                x += 1
            }
        }
    }
}

/// A row of one value, allocated once per plane and read by every worker.
private final class FillRow: @unchecked Sendable {
    let values: UnsafeMutablePointer<Float>

    init(value: Float, count: Int) {
        values = .allocate(capacity: max(1, count))
        values.initialize(repeating: value, count: max(1, count))
    }

    deinit {
        values.deallocate()
    }
}

/// A ring of `count` rows of `width` values, filled in order as an output band walks down the
/// image: the rows any one output row needs (a kernel's span) are always present together, and
/// each row is produced once per band.
final class RowRing {
    let count: Int
    let width: Int
    private let storage: UnsafeMutablePointer<Float>
    private var next: Int

    init(count: Int, width: Int, firstRow: Int) {
        self.count = count
        self.width = width
        storage = .allocate(capacity: count * width)
        storage.initialize(repeating: 0, count: count * width)
        next = firstRow
    }

    deinit {
        storage.deallocate()
    }

    /// Makes rows `first ..< first + count` present, producing each missing row once with `make`
    /// (given the row number and where to write it).
    func advance(to first: Int, _ make: (Int, UnsafeMutablePointer<Float>) -> Void) {
        next = max(next, first)
        while next < first + count {
            make(next, storage + (next % count) * width)
            next += 1
        }
    }

    /// Where present row `row` starts.
    func pointer(row: Int) -> UnsafePointer<Float> {
        UnsafePointer(storage + (row % count) * width)
    }
}
