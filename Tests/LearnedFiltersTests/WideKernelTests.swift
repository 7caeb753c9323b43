// WideKernelTests: the one-channel convolution and pooling kernels on 16-lane AVX-512
// registers against the same kernels on 8-lane AVX2 registers.

import CConvKernels
import Testing

@Suite struct WideKernelTests {
    /// Random values in -1...1.
    private func randoms(_ count: Int) -> [Float] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in Float.random(in: -1...1, using: &generator) }
    }

    /// Row lengths with whole blocks of four pixels and pixels after them; 16 to 48 filters; a
    /// stride and a dilation.
    static let rows = [(16, 1, 1), (32, 1, 1), (48, 2, 1), (32, 1, 2)]

    private func shape(columns: Int, filters: Int, stride: Int, dilation: Int) -> ck_conv_row_shape
    {
        ck_conv_row_shape(
            kernel_height: 3, kernel_width: 3, stride_x: Int32(stride),
            dilation_y: Int32(dilation), dilation_x: Int32(dilation),
            padded_width: (columns - 1) * stride + 2 * dilation + 1,
            columns: Int32(columns), filters: Int32(filters))
    }

    // The row tests open alike on purpose (a shape, random rows, the kernel at 8 and 16 lanes):
    // each calls its own C kernel with its own buffers, so each failure names one kernel.
    /// Same sums in the same order on sixteen lanes instead of eight: the same bits, with and
    /// without ReLU.
    @Test(arguments: rows)
    func forwardRowGivesTheAVX2RowsBits(filters: Int, stride: Int, dilation: Int) throws {
        try #require(ck_has_avx2_fma() != 0 && ck_has_avx512_skylake() != 0)
        for columns in [1, 3, 4, 7, 28] {
            let s = shape(columns: columns, filters: filters, stride: stride, dilation: dilation)
            let padded = randoms((2 * dilation + 1) * s.padded_width)
            let kernel = randoms(9 * filters)
            let bias = randoms(filters)
            for relu: Int32 in [0, 1] {
                var narrow = [Float](repeating: .nan, count: columns * filters)
                var wide = narrow
                ck_conv_forward_row(padded, kernel, bias, s, relu, &narrow, 8)
                ck_conv_forward_row(padded, kernel, bias, s, relu, &wide, 16)
                #expect(narrow.map(\.bitPattern) == wide.map(\.bitPattern))
                #expect(wide.allSatisfy { !$0.isNaN })
            }
        }
    }

    /// The kernel-gradient row: the same bits, added onto the same sums.
    @Test(arguments: rows)
    func kernelGradientRowGivesTheAVX2RowsBits(filters: Int, stride: Int, dilation: Int) throws {
        try #require(ck_has_avx2_fma() != 0 && ck_has_avx512_skylake() != 0)
        for columns in [1, 3, 4, 7, 28] {
            let s = shape(columns: columns, filters: filters, stride: stride, dilation: dilation)
            let padded = randoms((2 * dilation + 1) * s.padded_width)
            let gradient = randoms(columns * filters)
            var narrow = randoms(9 * filters)
            var wide = narrow
            ck_conv_kernel_gradient_row(padded, gradient, s, &narrow, 8)
            ck_conv_kernel_gradient_row(padded, gradient, s, &wide, 16)
            #expect(narrow.map(\.bitPattern) == wide.map(\.bitPattern))
        }
    }

    /// The pooling band: the same maxima and winning positions, ties (repeated values) included.
    @Test(arguments: [(2, 2, 16), (2, 2, 32), (3, 2, 48)])
    func poolBandGivesTheAVX2BandsBits(height: Int, width: Int, filters: Int) throws {
        try #require(ck_has_avx2_fma() != 0 && ck_has_avx512_skylake() != 0)
        let cells = 5
        let band = randoms(height * cells * width * filters).map { ($0 * 4).rounded() / 4 }
        var narrow = (
            [Float](repeating: .nan, count: cells * filters),
            [Float](repeating: .nan, count: cells * filters)
        )
        var wide = narrow
        ck_pool_band(
            band, Int32(height), Int32(width), Int32(cells), Int32(filters), &narrow.0, &narrow.1, 8
        )
        ck_pool_band(
            band, Int32(height), Int32(width), Int32(cells), Int32(filters), &wide.0, &wide.1, 16)
        #expect(narrow.0.map(\.bitPattern) == wide.0.map(\.bitPattern))
        #expect(narrow.1 == wide.1)
        #expect(wide.0.allSatisfy { !$0.isNaN } && Set(wide.1).count > 1)
    }
}
