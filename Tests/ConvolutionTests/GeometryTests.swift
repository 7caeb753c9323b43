// GeometryTests: scipy's alignment of 'same', and the errors bad options give.

import Convolution
import Testing

@Suite struct GeometryTests {
    func geometry(_ rows: Int, _ columns: Int, kernel: (Int, Int), _ options: ConvolutionOptions)
        throws -> ConvolutionGeometry
    {
        try ConvolutionGeometry(
            inputRows: rows, inputColumns: columns, kernelRows: kernel.0, kernelColumns: kernel.1,
            options: options)
    }

    @Test func sameAlignmentDiffersForEvenKernels() throws {
        let convolve = try geometry(
            7, 7, kernel: (4, 4), ConvolutionOptions(operation: .convolve, mode: .same))
        let correlate = try geometry(
            7, 7, kernel: (4, 4), ConvolutionOptions(operation: .correlate, mode: .same))
        #expect(convolve.before == AxisPair(2) && convolve.after == AxisPair(1))
        #expect(correlate.before == AxisPair(1) && correlate.after == AxisPair(2))
        #expect(convolve.output == AxisPair(7) && correlate.output == AxisPair(7))
    }

    @Test func paddingThenModeThenStride() throws {
        // torch: conv2d(x of 11x13, k 3x3, stride=2, padding=1) is 6x7.
        let g = try geometry(
            11, 13, kernel: (3, 3),
            ConvolutionOptions(
                operation: .correlate, mode: .valid, padding: Padding(all: 1), stride: AxisPair(2)))
        #expect(g.output == AxisPair(rows: 6, columns: 7))
        let full = try geometry(
            5, 5, kernel: (3, 3),
            ConvolutionOptions(mode: .full, padding: Padding(top: 1, bottom: 0, left: 0, right: 2)))
        #expect(full.output == AxisPair(rows: 8, columns: 9))
    }

    @Test func badOptionsThrowInWords() throws {
        #expect(throws: ConvolutionError.invalidStride(AxisPair(rows: 0, columns: 1))) {
            try geometry(
                5, 5, kernel: (3, 3), ConvolutionOptions(stride: AxisPair(rows: 0, columns: 1)))
        }
        #expect(throws: ConvolutionError.invalidDilation(AxisPair(0))) {
            try geometry(5, 5, kernel: (3, 3), ConvolutionOptions(dilation: AxisPair(0)))
        }
        #expect(
            throws: ConvolutionError.negativePadding(Padding(top: -1, bottom: 0, left: 0, right: 0))
        ) {
            try geometry(
                5, 5, kernel: (3, 3),
                ConvolutionOptions(padding: Padding(top: -1, bottom: 0, left: 0, right: 0)))
        }
        do {
            _ = try geometry(5, 9, kernel: (7, 3), ConvolutionOptions(mode: .valid))
            Issue.record("a 3x7 kernel on a 9x5 image in valid mode has no output")
        } catch let error as ConvolutionError {
            // Sizes in messages are width x height: 9 columns, 5 rows.
            #expect(error.description.contains("spans 3x7 cells, larger than the 9x5"))
        }
        #expect(throws: ConvolutionError.self) {
            try geometry(
                5, 5, kernel: (3, 3), ConvolutionOptions(padding: Padding(all: Int.max / 2)))
        }
    }

    @Test(arguments: [BoundaryRule.wrap, .symm, .reflect101, .nearest])
    func boundaryIndicesRepeatBeyondTheImage(_ rule: BoundaryRule) {
        // Positions -7...9 of a 3-sample row (a b c), written as source indices.
        let expected: [Int] =
            switch rule {
            case .wrap: [2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0]
            case .symm: [0, 0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1, 2, 2]
            case .reflect101: [1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1]
            default: [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2, 2, 2, 2]
            }
        #expect((-7...9).map { rule.sourceIndex($0, count: 3) } == expected)
        #expect(BoundaryRule.fill(0).sourceIndex(-1, count: 3) == nil)
    }
}
