// OutputSizeTests: the output-size formula against the 15 figures of Dumoulin & Visin's guide.

import Convolution
import Testing

@Suite struct OutputSizeTests {
    // The two tables share a shape on purpose: each row is one figure of the guide as printed.
    /// (figure, input, kernel, stride, padding, dilation, output) for the direct convolutions:
    /// figures 2.1 to 2.7 and the dilated convolution of figure 5.1.
    static let convolutions: [(String, Int, Int, Int, Int, Int, Int)] = [
        ("2.1 no padding, unit strides", 4, 3, 1, 0, 1, 2),
        ("2.2 arbitrary padding", 5, 4, 1, 2, 1, 6),
        ("2.3 half padding", 5, 3, 1, 1, 1, 5),
        ("2.4 full padding", 5, 3, 1, 2, 1, 7),
        ("2.5 no padding, strides", 5, 3, 2, 0, 1, 2),
        ("2.6 padding, strides", 5, 3, 2, 1, 1, 3),
        ("2.7 padding, strides, odd", 6, 3, 2, 1, 1, 3),
        ("5.1 dilation", 7, 3, 1, 0, 2, 3),
    ]

    /// (figure, input, kernel, stride, padding, output padding, output) for the transposed
    /// convolutions of figures 4.1 to 4.7, written as the transposes of the direct ones.
    static let transposed: [(String, Int, Int, Int, Int, Int, Int)] = [
        ("4.1 of 2.1", 2, 3, 1, 0, 0, 4),
        ("4.2 of 2.2", 6, 4, 1, 2, 0, 5),
        ("4.3 of 2.3", 5, 3, 1, 1, 0, 5),
        ("4.4 of 2.4", 7, 3, 1, 2, 0, 5),
        ("4.5 of 2.5", 2, 3, 2, 0, 0, 5),
        ("4.6 of 2.6", 3, 3, 2, 1, 0, 5),
        ("4.7 of 2.7", 3, 3, 2, 1, 1, 6),
    ]

    @Test func fifteenFigures() {
        #expect(Self.convolutions.count + Self.transposed.count == 15)
        for (figure, i, k, s, p, d, o) in Self.convolutions {
            #expect(
                convolutionOutputSize(
                    input: i, kernel: k, stride: s, dilation: d, paddingBefore: p, paddingAfter: p)
                    == o,
                "figure \(figure)")
        }
        for (figure, i, k, s, p, a, o) in Self.transposed {
            #expect(
                transposedConvolutionOutputSize(
                    input: i, kernel: k, stride: s, paddingBefore: p, paddingAfter: p,
                    outputPadding: a) == o, "figure \(figure)")
        }
    }

    @Test(arguments: convolutions.map(\.0))
    func engineProducesFigureSizes(_ figure: String) throws {
        guard let (_, i, k, s, p, d, o) = Self.convolutions.first(where: { $0.0 == figure }) else {
            return
        }
        let kernel = try Kernel(
            name: "ones", rows: k, columns: k, weights: .init(repeating: 1, count: k * k))
        let input = try Plane<Double>(
            rows: i, columns: i, values: .init(repeating: 1, count: i * i))
        let options = ConvolutionOptions(
            operation: .correlate, mode: .valid, padding: Padding(all: p),
            stride: AxisPair(s), dilation: AxisPair(d))
        let output = try Convolution.apply(kernel, to: input, options: options)
        #expect(output.rows == o && output.columns == o)
        let fast = try Convolution.apply(
            kernel, to: Plane(rows: i, columns: i, values: [Float](repeating: 1, count: i * i)),
            options: options)
        #expect(fast.rows == o && fast.columns == o)
    }
}
