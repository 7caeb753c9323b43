// SeparableRegisterTests: the separable passes summed in AVX-512 registers give the bits of their
// formula written out in Swift, at every row length their vector loops treat differently, by
// the edges and with streamed stores, and the planner sends small rank-1 kernels to them only
// where they run.

import CConvKernels
import ConvkitTestSupport
import Convolution
import Testing

@Suite struct SeparableRegisterTests {
    /// Kernel shapes for the unrolled 3x3 and 5x5 loops and the general one, up to the
    /// planner's 11 x 11.
    static let shapes: [(rows: Int, columns: Int)] = [
        (3, 3), (5, 5), (4, 7), (7, 4), (3, 10), (10, 3), (10, 10), (11, 11), (2, 2),
    ]

    /// A valid correlation's columns sum in registers alone (no edges), so each output is
    /// `sum over c of row[c] * v[x + c]` with `v[i] = sum over r of column[r] * input[y + r][i]`,
    /// each sum a multiply and then fused multiply-adds in order: the same bits on 1 and 3
    /// threads, for row lengths below, at and past one and two vectors of sixteen.
    @Test func validRowsGiveTheFormulasBits() throws {
        guard SeparableConvolution.registersSupported else { return }
        for (shape, kernel, column, row) in try Self.kernels(seed: 40) {
            for outputs in [1, 2, 15, 16, 17, 31, 32, 33, 47, 48, 49, 80, 97] {
                let columns = outputs + shape.columns - 1
                let rows = shape.rows + 4
                let input = try TestData.float(
                    TestData.plane(rows: rows, columns: columns, seed: UInt64(outputs)))
                let expected = Self.formula(input, column: column, row: row)
                for threads in [1, 3] {
                    let result = try Convolution.apply(
                        kernel, to: input,
                        options: ConvolutionOptions(
                            operation: .correlate, mode: .valid, threads: threads,
                            path: .separable))
                    #expect(
                        result.values.map(\.bitPattern) == expected.map(\.bitPattern),
                        "\(shape.rows)x\(shape.columns) kernel, \(outputs) outputs per row, \(threads) threads"
                    )
                }
            }
        }
    }

    /// Rows narrower than the kernel, where every column is an edge column read through the
    /// boundary rule, and wide ones with edges on both sides, against the Float64 reference.
    @Test func edgesFollowTheBoundaryRule() throws {
        let kernel = try TestData.rankOneKernel(rows: 5, columns: 5, seed: 8)
        for boundary: BoundaryRule in [.fill(0), .fill(2.5), .wrap, .symm, .reflect101, .nearest] {
            for columns in [1, 3, 4, 21, 40] where boundary != .reflect101 || columns > 1 {
                let input = TestData.plane(rows: 9, columns: columns, seed: UInt64(columns))
                for mode in [ConvolutionMode.full, .same] {
                    let options = ConvolutionOptions(mode: mode, boundary: boundary, threads: 2)
                    let reference = try ReferenceConvolution.apply(
                        kernel, to: input, options: options)
                    var separable = options
                    separable.path = .separable
                    let result = try Convolution.apply(
                        kernel, to: TestData.float(input), options: separable)
                    let range = (reference.values.max() ?? 0) - (reference.values.min() ?? 0)
                    let difference = maxDifference(
                        result.values.map(Double.init), reference.values)
                    #expect(
                        difference <= 1e-5 * range,
                        "\(boundary), \(columns) columns, \(mode): off by \(difference)")
                }
            }
        }
    }

    /// The columns by the edges, summed through the boundary rule, give the bits of the formula
    /// on the input extended by that rule, as the interior does: a 5x5 in full mode (four edge
    /// outputs a side), and a 10x10 with 20 cells of padding (more than sixteen a side, summed
    /// sixteen at a time).
    @Test func edgesGiveTheFormulasBits() throws {
        guard SeparableConvolution.registersSupported else { return }
        for (size, padding) in [(5, 0), (10, 20)] {
            let kernel = try TestData.rankOneKernel(rows: size, columns: size, seed: 8)
            let (column, row) = try Self.factors(kernel)
            for boundary: BoundaryRule in [.fill(2.5), .wrap, .symm, .reflect101, .nearest] {
                for columns in [1, 3, 21, 40] where boundary != .reflect101 || columns > 1 {
                    let input = try TestData.float(
                        TestData.plane(rows: 2 * size - 1, columns: columns, seed: UInt64(columns)))
                    let result = try Convolution.apply(
                        kernel, to: input,
                        options: ConvolutionOptions(
                            operation: .correlate, mode: .full, boundary: boundary,
                            padding: Padding(all: padding), threads: 2, path: .separable))
                    // The padding, then the full mode's size - 1 cells on every side.
                    let extended = try TestData.extended(
                        input, by: padding + size - 1, boundary: boundary)
                    let expected = Self.formula(extended, column: column, row: row)
                    #expect(
                        result.values.map(\.bitPattern) == expected.map(\.bitPattern),
                        "\(size)x\(size), \(boundary), \(columns) columns")
                }
            }
        }
    }

    /// A row written with streamed stores, which start on a 64-byte line, has the bits of the
    /// same row written plainly, whatever the output's alignment and length.
    @Test func streamedRowsGiveThePlainRowsBits() throws {
        guard SeparableConvolution.registersSupported else { return }
        for (shape, _, column, row) in try Self.kernels(seed: 60) {
            for outputs in [17, 63, 100, 257] {
                let columns = outputs + shape.columns - 1
                let input = try TestData.float(
                    TestData.plane(rows: shape.rows, columns: columns, seed: UInt64(outputs)))
                let expected = Self.formula(input, column: column, row: row)
                for offset in [0, 1, 5, 15] {
                    for stream: Int32 in [0, 1] {
                        let output = Self.sumRow(
                            input, column: column, row: row, outputs: outputs, offset: offset,
                            stream: stream)
                        #expect(
                            output.map(\.bitPattern) == expected.map(\.bitPattern),
                            "\(shape.rows)x\(shape.columns), \(outputs) outputs at float \(offset), stream \(stream)"
                        )
                    }
                }
            }
        }
    }

    /// One valid row of `input` (whose rows are the kernel's) through `ck_separable_row`,
    /// written `offset` floats past a 64-byte line.
    static func sumRow(
        _ input: Plane<Float>, column: [Float], row: [Float], outputs: Int, offset: Int,
        stream: Int32
    ) -> [Float] {
        let width = input.columns
        let map = Array(0..<width)
        let storage = UnsafeMutableRawPointer.allocate(
            byteCount: (outputs + 16) * MemoryLayout<Float>.stride, alignment: 64)
        defer { storage.deallocate() }
        let output = storage.bindMemory(to: Float.self, capacity: outputs + 16) + offset
        input.values.withUnsafeBufferPointer { values in
            let rows = (0..<input.rows).map { Optional(values.baseAddress! + $0 * width) }
            map.withUnsafeBufferPointer { map in
                var edges = ck_row_edges(
                    source_column: map.baseAddress, left: 0, input_columns: width, fill: 0)
                rows.withUnsafeBufferPointer { lines in
                    ck_separable_row(
                        lines.baseAddress, column, Int32(column.count), row, Int32(row.count),
                        &edges, outputs, output, stream)
                }
            }
        }
        return Array(UnsafeBufferPointer(start: output, count: outputs))
    }

    /// Rank-1 kernels from 2x2 up go separable where the register passes run; full-rank 3x3
    /// kernels stay direct.
    @Test func plannerSendsSmallRankOneKernelsToRegisters() throws {
        func path(_ kernel: Kernel) throws -> ConvolutionPath {
            try ConvolutionPlan(
                kernel: kernel, inputRows: 256, inputColumns: 256, options: ConvolutionOptions()
            ).path
        }
        let scharr = try #require(try KernelLibrary.resolve("scharr-x").first)
        #expect(
            try path(scharr) == (SeparableConvolution.registersSupported ? .separable : .direct))
        #expect(
            try path(TestData.rankOneKernel(rows: 2, columns: 2, seed: 3))
                == (SeparableConvolution.registersSupported ? .separable : .direct))
        #expect(try path(TestData.kernel(rows: 3, columns: 3, seed: 4)) == .direct)
    }

    /// A rank-1 kernel's column and row factors, as the passes take them.
    static func factors(_ kernel: Kernel) throws -> (column: [Float], row: [Float]) {
        let factors = try #require(kernel.separableFactors())
        return (factors.column.map(Float.init), factors.row.map(Float.init))
    }

    /// A random rank-1 kernel of each of ``shapes``, seeded from `seed` up, with its factors.
    static func kernels(seed: UInt64) throws -> [(
        shape: (rows: Int, columns: Int), kernel: Kernel, column: [Float], row: [Float]
    )] {
        try shapes.enumerated().map { index, shape in
            let kernel = try TestData.rankOneKernel(
                rows: shape.rows, columns: shape.columns, seed: seed + UInt64(index))
            let (column, row) = try factors(kernel)
            return (shape, kernel, column, row)
        }
    }

    /// The register passes' formula in Swift (`addingProduct` is a fused multiply-add), for a
    /// valid correlation.
    static func formula(_ input: Plane<Float>, column: [Float], row: [Float]) -> [Float] {
        let width = input.columns
        var output = [Float]()
        for y in 0...(input.rows - column.count) {
            let sums = (0..<width).map { i in
                var v = input.values[y * width + i] * column[0]
                for r in 1..<column.count {
                    v = v.addingProduct(input.values[(y + r) * width + i], column[r])
                }
                return v
            }
            for x in 0...(width - row.count) {
                var sum = sums[x] * row[0]
                for c in 1..<row.count { sum = sum.addingProduct(sums[x + c], row[c]) }
                output.append(sum)
            }
        }
        return output
    }
}
