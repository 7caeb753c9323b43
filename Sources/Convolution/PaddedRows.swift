// PaddedRows: rows of the boundary-extended image, read in place or made on demand into small
// cache-resident buffers (8-bit rows are widened there, band by band).

import CConvKernels

/// The input as if extended by `geometry.before`/`after` cells on each side with the boundary
/// rule, without ever building the extended image: any stretch of any extended row can be
/// copied out, and kernel rows can be correlated straight from the input rows (the columns by
/// the left and right edges through the boundary rule). Every path handles every boundary rule
/// the same way at the memory cost of a few rows. An 8-bit image channel is read the same way:
/// each row a worker needs is widened to floats into its ``LineCache``, never the whole image.
struct PaddedRows: @unchecked Sendable {
    /// The float input rows; for 8-bit input, a row of the fill value (never read as input).
    let input: UnsafePointer<Float>
    /// The 8-bit input, when the rows are widened from one channel of interleaved samples.
    let bytes: ByteRows?
    let inputRows, inputColumns: Int
    /// Cells added above and left of the input.
    let top, left: Int
    /// The extended image's size.
    let rows, columns: Int
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
        self.init(
            input: input, bytes: nil, inputRows: inputRows, inputColumns: inputColumns,
            geometry: geometry, boundary: boundary)
    }

    /// Rows widened from channel `channel` of `samples`, `channels` interleaved samples per
    /// pixel, row-major `inputRows x inputColumns` pixels; `samples` must stay valid while this
    /// value is used.
    init(
        samples: UnsafePointer<UInt8>, channel: Int, of channels: Int, inputRows: Int,
        inputColumns: Int, geometry: ConvolutionGeometry, boundary: BoundaryRule
    ) {
        let bytes = ByteRows(base: samples + channel, stride: channels, rowLength: inputColumns)
        self.init(
            input: nil, bytes: bytes, inputRows: inputRows, inputColumns: inputColumns,
            geometry: geometry, boundary: boundary)
    }

    private init(
        input: UnsafePointer<Float>?, bytes: ByteRows?, inputRows: Int, inputColumns: Int,
        geometry: ConvolutionGeometry, boundary: BoundaryRule
    ) {
        self.bytes = bytes
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
        self.input = input ?? UnsafePointer(fillRow.values)
    }

    /// The input row that supplies extended row `row` (inside the extended image), or a row of
    /// the fill value. Float input only: 8-bit rows are read through a ``LineCache``.
    func line(_ row: Int) -> UnsafePointer<Float> {
        guard let sourceRow = boundary.sourceIndex(row - top, count: inputRows) else {
            return UnsafePointer(fillRow.values)
        }
        return input + sourceRow * inputColumns
    }

    /// Extended row `row` as floats: in place for float input; for 8-bit input the supplying
    /// row widened into `scratch` (`inputColumns` floats), or a row of the fill value.
    func line(_ row: Int, widening scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        guard let bytes else { return line(row) }
        guard let sourceRow = boundary.sourceIndex(row - top, count: inputRows) else {
            return UnsafePointer(fillRow.values)
        }
        bytes.widen(row: sourceRow, start: 0, count: inputColumns, into: scratch)
        return UnsafePointer(scratch)
    }

    /// One row of a valid correlation with a kernel's summed taps `taps`: `output[x]` for
    /// `x < count` is the sum over those taps, in order from zero as ``weightedSum`` adds them,
    /// of `taps.weights[i]` times extended row `lines[taps.lines[i]]` (from ``line(_:)``) at
    /// column `x + taps.offsets[i]`. With the fused sums and a kernel at most
    /// ``rowCallSpan`` wide it is one C call (``ck_correlate_row``); otherwise stretch by
    /// stretch (``stretches(lines:rows:span:count:_:)``), `sources` being scratch for
    /// `taps.count` pointers. With `check` (a row of `inputColumns` values; fused sums only) it
    /// returns whether that row is all finite, tested in the same pass as the interior;
    /// otherwise true.
    @discardableResult
    func correlate(
        lines: UnsafePointer<UnsafePointer<Float>>, taps: TapLayout, count: Int,
        into output: UnsafeMutablePointer<Float>,
        sources: UnsafeMutablePointer<UnsafePointer<Float>>, fused: Bool,
        check: UnsafePointer<Float>? = nil
    ) -> Bool {
        if fused && taps.span <= Self.rowCallSpan {
            return taps.withC { layout in
                withEdges { edges in
                    lines.withMemoryRebound(to: UnsafePointer<Float>?.self, capacity: taps.rows) {
                        ck_correlate_row($0, layout, edges, count, output, check, FusedSums.lanes)
                            != 0
                    }
                }
            }
        }
        var finite = true
        var checked = check == nil
        let used = taps.count
        let inputColumns = inputColumns
        taps.weights.withUnsafeBufferPointer { weights in
            taps.lines.withUnsafeBufferPointer { tapLines in
                taps.offsets.withUnsafeBufferPointer { offsets in
                    let weights = weights.baseAddress!
                    stretches(lines: lines, rows: taps.rows, span: taps.span, count: count) {
                        rows, shift, columns, interior in
                        for i in 0..<used { sources[i] = rows[tapLines[i]] + (shift + offsets[i]) }
                        if interior, let check {
                            finite =
                                sources.withMemoryRebound(
                                    to: UnsafePointer<Float>?.self, capacity: used
                                ) {
                                    ck_weighted_sum_checked(
                                        $0, weights, Int32(used), columns.count,
                                        output + columns.lowerBound, check, inputColumns,
                                        FusedSums.lanes) != 0
                                }
                            checked = true
                        } else {
                            weightedSum(
                                sources: sources, weights: weights, taps: used,
                                count: columns.count, into: output + columns.lowerBound,
                                fused: fused)
                        }
                    }
                }
            }
        }
        if let check, !checked {
            finite =
                ck_weighted_sum_checked(nil, nil, 0, 0, nil, check, inputColumns, FusedSums.lanes)
                != 0
        }
        return finite
    }

    /// The widest kernel whose fused rows go through ``ck_correlate_row``, which sums the few
    /// columns by the edges one tap at a time: below it the call saves the per-stretch work,
    /// above it those scalar edges cost more. `convkit bench crossover --size 1024 --repeat 31
    /// --threads 1`, direct ms stretch by stretch / one call, three runs: 2x2 0.36 / 0.30-0.33,
    /// 3x3 0.42-0.44 / 0.36-0.41, 4x4 0.68-0.69 / 0.63-0.66, 5x5 0.81-0.96 / 0.80-0.89, 7x7
    /// 1.71-1.89 / 1.70-1.89, random 11x11 4.6-5.1 / 5.1-5.7.
    static let rowCallSpan = 5

    /// Calls `body` with how each extended row relates to the input row under it, as the C
    /// whole-row kernels take it (``ck_row_edges``), valid during the call.
    func withEdges<Result>(_ body: (UnsafePointer<ck_row_edges>) -> Result) -> Result {
        columnSource.withUnsafeBufferPointer { map in
            var edges = ck_row_edges(
                source_column: map.baseAddress, left: left, input_columns: inputColumns, fill: fill)
            return body(&edges)
        }
    }

    /// Cuts one row of a valid correlation with a kernel `rows` tall and `span` wide, output
    /// columns `0 ..< count`, into stretches, and calls `sum` for each with the `rows` rows it
    /// reads and the shift to add to them (together: each row at the extended column under
    /// the stretch's first output), the stretch, and whether it is the interior. The
    /// interior, whose windows all fall inside the input, reads the rows `lines` (from
    /// ``line(_:)``) in place; the few columns by the left and right edges read rows first
    /// copied through the boundary rule into a small buffer.
    @inline(__always)
    func stretches(
        lines: UnsafePointer<UnsafePointer<Float>>, rows: Int, span: Int, count: Int,
        _ sum: (UnsafePointer<UnsafePointer<Float>>, Int, Range<Int>, Bool) -> Void
    ) {
        let lower = min(left, count)
        let upper = max(lower, min(count, left + inputColumns - span + 1))
        if upper > lower { sum(lines, lower - left, lower..<upper, true) }
        guard lower > 0 || upper < count else { return }
        let fill = fill
        columnSource.withUnsafeBufferPointer { map in
            func edge(_ columns: Range<Int>) {
                guard !columns.isEmpty else { return }
                let width = columns.count + span - 1
                // The rows, then a pointer to each, in one allocation.
                let floats = rows * width
                let pointers = (floats * MemoryLayout<Float>.stride + 15) & ~15
                withUnsafeTemporaryAllocation(
                    byteCount: pointers + rows * MemoryLayout<UnsafePointer<Float>>.stride,
                    alignment: 16
                ) { scratch in
                    let base = scratch.baseAddress!.bindMemory(to: Float.self, capacity: floats)
                    let starts = (scratch.baseAddress! + pointers)
                        .bindMemory(to: UnsafePointer<Float>.self, capacity: rows)
                    for r in 0..<rows {
                        let row = base + r * width
                        for i in 0..<width {
                            let column = map[columns.lowerBound + i]
                            row[i] = column >= 0 ? lines[r][column] : fill
                        }
                        starts[r] = UnsafePointer(row)
                    }
                    sum(starts, 0, columns, false)
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
            if let bytes {
                bytes.widen(
                    row: sourceRow, start: interiorStart - left, count: interiorEnd - interiorStart,
                    into: destination + (interiorStart - start))
            } else {
                (destination + (interiorStart - start)).update(
                    from: from + (interiorStart - left), count: interiorEnd - interiorStart)
            }
        }
        columnSource.withUnsafeBufferPointer { map in
            var x = start
            while x < end {
                if x >= interiorStart && x < interiorEnd {
                    x = interiorEnd
                    continue
                }
                destination[x - start] =
                    x >= columns
                    ? 0
                    : (map[x] < 0
                        ? fill
                        : bytes.map { $0.value(row: sourceRow, column: map[x]) } ?? from[map[x]])
                x += 1
            }
        }
    }
}

/// One channel of interleaved 8-bit samples, read as rows of floats.
struct ByteRows {
    /// The channel's first sample.
    let base: UnsafePointer<UInt8>
    /// Samples from one pixel to the next.
    let stride: Int
    /// Pixels per row.
    let rowLength: Int

    /// Pixels `start ..< start + count` of row `row` as floats, into `destination`.
    func widen(row: Int, start: Int, count: Int, into destination: UnsafeMutablePointer<Float>) {
        ck_widen_u8(base + (row * rowLength + start) * stride, stride, count, destination)
    }

    /// The pixel at `row`, `column` as a float.
    func value(row: Int, column: Int) -> Float {
        Float(base[(row * rowLength + column) * stride])
    }
}

/// The taps of a kernel that a correlation sums, each with its weight and where it reads, worked
/// out once per pass instead of once per row (a division and a remainder per tap): tap `i`
/// weighs `weights[i]` and reads kernel row `lines[i]`, `offsets[i]` extended columns right of
/// the output column.
struct TapLayout: Sendable {
    /// The kernel's rows, and its width along a row once dilated.
    let rows, span: Int
    let weights: [Float]
    let lines, offsets: [Int]
    /// The number of taps summed.
    var count: Int { lines.count }

    /// Calls `body` with this layout as C's `ck_tap_layout`, valid during the call.
    func withC<Result>(_ body: (UnsafePointer<ck_tap_layout>) -> Result) -> Result {
        weights.withUnsafeBufferPointer { weights in
            lines.withUnsafeBufferPointer { lines in
                offsets.withUnsafeBufferPointer { offsets in
                    var layout = ck_tap_layout(
                        weights: weights.baseAddress, lines: lines.baseAddress,
                        offsets: offsets.baseAddress, taps: Int32(count), span: Int32(span))
                    return body(&layout)
                }
            }
        }
    }

    /// The taps `taps` (indices `r * kernelColumns + c`, increasing; every tap when nil) of the
    /// row-major `kernelRows x kernelColumns` kernel `kernel`, dilated by `dilation` along the
    /// row.
    init(kernel: [Float], kernelRows: Int, dilation: Int, taps: [Int]? = nil) {
        let kernelColumns = kernel.count / max(1, kernelRows)
        let taps = taps ?? Array(kernel.indices)
        rows = kernelRows
        span = (kernelColumns - 1) * dilation + 1
        weights = taps.map { kernel[$0] }
        lines = taps.map { $0 / kernelColumns }
        offsets = taps.map { $0 % kernelColumns * dilation }
    }
}

/// The extended rows one worker is reading, by row number: for float input the input rows in
/// place; for 8-bit input each row widened once into one of `count` slots (slot `row % count`),
/// so a band that walks down the image widens each row it needs once, into the same few
/// cache-resident rows.
final class LineCache {
    private let source: PaddedRows
    private let count: Int
    /// Floats from one slot's start to the next: a row and room to shift it, in whole lines.
    private let slotStride: Int
    /// Where each widened row starts in its slot, in floats past a 64-byte line.
    private let phase: Int
    private let storage: UnsafeMutablePointer<Float>
    private var held: [Int]

    /// A cache of `count` rows: at least the rows one output row reads at once. Each widened
    /// row starts `phase` floats (modulo 16) past a 64-byte line, so that a caller can put its
    /// loads on the same lines as its stores.
    init(_ source: PaddedRows, count: Int, phase: Int = 0) {
        self.source = source
        self.count = max(1, count)
        self.phase = phase & 15
        slotStride = (source.inputColumns + 31) & ~15
        let floats = source.bytes == nil ? 1 : self.count * slotStride
        storage = UnsafeMutableRawPointer.allocate(
            byteCount: floats * MemoryLayout<Float>.stride, alignment: 64
        ).bindMemory(to: Float.self, capacity: floats)
        held = [Int](repeating: -1, count: self.count)
    }

    deinit {
        UnsafeMutableRawPointer(storage).deallocate()
    }

    /// Extended row `row` (``PaddedRows/line(_:widening:)``).
    func line(_ row: Int) -> UnsafePointer<Float> {
        guard source.bytes != nil else { return source.line(row) }
        let slot = row % count
        let scratch = storage + slot * slotStride + phase
        if held[slot] == row { return UnsafePointer(scratch) }
        let line = source.line(row, widening: scratch)
        held[slot] = line == UnsafePointer(scratch) ? row : -1
        return line
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
