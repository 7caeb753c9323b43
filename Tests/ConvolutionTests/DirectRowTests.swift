// DirectRowTests: the direct path's fused rows, the columns by the edges included, give the bits
// of their formula on the input extended by the boundary rule.

import ConvkitTestSupport
import Convolution
import Testing

@Suite struct DirectRowTests {
    /// Each output is its taps' products added from zero in row-major order, one fused
    /// multiply-add each, for kernels narrow enough for the one-call rows and wider ones, on
    /// rows shorter than the kernel and wider, under every boundary rule.
    @Test func fusedRowsGiveTheFormulasBits() throws {
        guard !FusedSums.lanesSupported.isEmpty else { return }
        for size in [2, 3, 5, 7] {
            let kernel = try TestData.kernel(rows: size, columns: size, seed: UInt64(size))
            let weights = kernel.weights.map(Float.init)
            for boundary: BoundaryRule in [.fill(2.5), .wrap, .symm, .reflect101, .nearest] {
                for columns in [1, 3, 21, 40] where boundary != .reflect101 || columns > 1 {
                    let input = try TestData.float(
                        TestData.plane(rows: 9, columns: columns, seed: UInt64(columns)))
                    let result = try Convolution.apply(
                        kernel, to: input,
                        options: ConvolutionOptions(
                            operation: .correlate, mode: .full, boundary: boundary, threads: 2,
                            path: .direct))
                    let extended = try TestData.extended(input, by: size - 1, boundary: boundary)
                    let expected = Self.formula(extended, weights: weights, size: size)
                    #expect(
                        result.values.map(\.bitPattern) == expected.map(\.bitPattern),
                        "\(size)x\(size), \(boundary), \(columns) columns")
                }
            }
        }
    }

    /// A valid correlation of `input` with the `size x size` row-major `weights`, each output
    /// summed from zero in tap order with fused multiply-adds.
    static func formula(_ input: Plane<Float>, weights: [Float], size: Int) -> [Float] {
        var output = [Float]()
        for y in 0...(input.rows - size) {
            for x in 0...(input.columns - size) {
                var sum: Float = 0
                for tap in 0..<weights.count {
                    let value = input.values[(y + tap / size) * input.columns + x + tap % size]
                    sum = sum.addingProduct(value, weights[tap])
                }
                output.append(sum)
            }
        }
        return output
    }
}
