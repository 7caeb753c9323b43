// PaddedRows: rows of the boundary-extended image, made on demand into small cache-resident buffers.

/// The input as if extended by `geometry.before`/`after` cells on each side with the boundary
/// rule, without ever building the extended image: any stretch of any extended row can be
/// copied out. Fast paths keep only the few rows a kernel needs, so every path handles every
/// boundary rule the same way at the memory cost of a few rows.
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

    /// Refills every slot in order, slot `i` with `make(i, destination)`, for callers that do
    /// not walk rows in order.
    func replace(_ make: (Int, UnsafeMutablePointer<Float>) -> Void) {
        for slot in 0..<count { make(slot, storage + slot * width) }
        next = Int.max
    }

    /// Where slot `slot` starts (after ``replace(_:)``).
    func slot(_ slot: Int) -> UnsafePointer<Float> {
        UnsafePointer(storage + slot * width)
    }

    /// Where present row `row` starts.
    func pointer(row: Int) -> UnsafePointer<Float> {
        UnsafePointer(storage + (row % count) * width)
    }
}
