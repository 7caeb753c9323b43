// AVX2Kernels: ConvDirect's row and pooling kernels in C (CConvKernels), for processors with AVX2 and FMA.

import CConvKernels

/// The AVX2 + FMA kernels of `CConvKernels`: a one-channel convolution's forward row and its
/// kernel-gradient row, with eight filters per register and one fused multiply-add per
/// register and tap, where ``ConvDirect``'s portable SIMD loops need a multiply and an add on
/// half as many lanes; the pooling of its output rows and the gradient's way back; and
/// ``ConvWinograd``'s tile transforms, eight channels per register. The passes use them when
/// ``active(for:)`` is true (x86-64 processors with AVX2 and FMA, channel and filter counts
/// divisible by 8) and their own loops otherwise. A fused multiply-add rounds once
/// where the portable loops round twice, so the convolutions differ in the last bits (each is
/// tested against the reference loops); the pooling kernels and the Winograd transforms, which
/// only add, compare and select in the same order as the portable loops, give the same bits.
enum AVX2Kernels {
    /// Whether this processor has the kernels.
    static let supported = ck_has_avx2_fma() != 0

    /// Cleared (with `$allowed.withValue(false)`) to run the portable loops on a processor
    /// that has the kernels, as the tests do.
    @TaskLocal static var allowed = true

    /// Whether a pass that starts now uses the kernels for these channel and filter counts:
    /// the processor has them, they are allowed, and every count is a whole number of 8-lane
    /// registers. The one place the AVX2-or-portable choice is made; read once per pass, on
    /// its calling thread.
    static func active(for counts: Int...) -> Bool {
        supported && allowed && counts.allSatisfy { $0 % 8 == 0 }
    }

    /// The shape of one row for the kernels.
    static func rowShape(_ g: ConvGeometry, paddedWidth: Int, filters: Int) -> ck_conv_row_shape {
        ck_conv_row_shape(
            kernel_height: Int32(g.kernelHeight), kernel_width: Int32(g.kernelWidth),
            stride_x: Int32(g.strideX),
            dilation_y: Int32(g.dilationY), dilation_x: Int32(g.dilationX),
            padded_width: paddedWidth,
            columns: Int32(g.outputWidth), filters: Int32(filters))
    }

    /// Whether this processor has AVX-512 (the subsets OpenBLAS's SkylakeX kernels use): then,
    /// with a multiple of 16 filters, the convolution rows and the pooling band run on
    /// sixteen-lane registers, the same arithmetic in the same order, so the same bits
    /// (WideKernelTests compares them with the eight-lane kernels).
    static let wide = ck_has_avx512_skylake() != 0

    /// The register width, in floats, of the row and pooling kernels for `filters` filters.
    static func lanes(filters: some BinaryInteger) -> Int32 {
        wide && filters % 16 == 0 ? 16 : 8
    }

    /// See ``ConvDirect``'s forward row; `top` is the padded sample's first row under it.
    static func forwardRow(
        _ top: UnsafePointer<Float>, kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        shape: ck_conv_row_shape, relu: Bool, output: UnsafeMutablePointer<Float>
    ) {
        #if arch(x86_64)
            ck_conv_forward_row(
                top, kernel, bias, shape, relu ? 1 : 0, output, lanes(filters: shape.filters))
        #endif
    }

    /// See ``ConvDirect``'s kernel-gradient row; `top` is the padded sample's first row under it.
    static func kernelGradientRow(
        _ top: UnsafePointer<Float>, gradient: UnsafePointer<Float>, shape: ck_conv_row_shape,
        kernelSums: UnsafeMutablePointer<Float>
    ) {
        #if arch(x86_64)
            ck_conv_kernel_gradient_row(
                top, gradient, shape, kernelSums, lanes(filters: shape.filters))
        #endif
    }

    /// See ``MaxPoolKernels/poolBand(_:pool:filters:pooled:argmax:avx2:)``: `band` is `[poolHeight, cells * poolWidth, filters]`.
    static func poolBand(
        _ band: UnsafePointer<Float>, pool p: ConvGeometry, filters: Int,
        pooled: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Float>
    ) {
        #if arch(x86_64)
            ck_pool_band(
                band, Int32(p.kernelHeight), Int32(p.kernelWidth), Int32(p.outputWidth),
                Int32(filters), pooled, argmax, lanes(filters: filters))
        #endif
    }

    /// See ``MaxPoolKernels/unpoolRow(windowRow:gradient:pooled:argmax:pool:filters:into:)``.
    static func unpoolRow(
        windowRow: Int, gradient: UnsafePointer<Float>, pooled: UnsafePointer<Float>?,
        argmax: UnsafePointer<Float>,
        pool p: ConvGeometry, filters: Int, into row: UnsafeMutablePointer<Float>
    ) {
        #if arch(x86_64)
            ck_unpool_row(
                Int32(windowRow), gradient, pooled, argmax, Int32(p.kernelWidth),
                Int32(p.outputWidth), Int32(filters), row)
        #endif
    }

    /// See ``ConvWinograd/transformInput(_:samples:into:geometry:)``: one tile.
    static func winogradInputTile(
        _ cells: UnsafePointer<UnsafePointer<Float>>, channels: Int,
        target: UnsafeMutablePointer<Float>, plane: Int
    ) {
        #if arch(x86_64)
            ck_wino_input_tile(
                UnsafeRawPointer(cells).assumingMemoryBound(to: UnsafePointer<Float>?.self),
                Int32(channels), target, plane)
        #endif
    }

    /// See ``ConvWinograd``'s `poolOutput`: one tile.
    static func winogradPoolOutputTile(
        _ source: UnsafePointer<Float>, plane: Int, bias: UnsafePointer<Float>, relu: Bool,
        filters: Int,
        pooled: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Float>
    ) {
        #if arch(x86_64)
            ck_wino_pool_output_tile(
                source, plane, bias, relu ? 1 : 0, Int32(filters), pooled, argmax)
        #endif
    }

    /// See ``ConvWinograd``'s `unpoolGradient`: one tile.
    static func winogradUnpoolGradientTile(
        _ gradient: UnsafePointer<Float>, pooled: UnsafePointer<Float>?,
        argmax: UnsafePointer<Float>,
        filters: Int, target: UnsafeMutablePointer<Float>, plane: Int,
        biasSums: UnsafeMutablePointer<Float>
    ) {
        #if arch(x86_64)
            ck_wino_unpool_gradient_tile(
                gradient, pooled, argmax, Int32(filters), target, plane, biasSums)
        #endif
    }

    /// See ``ConvWinograd/scatterInputGradient(_:samples:into:geometry:)``: one tile.
    static func winogradScatterTile(
        _ source: UnsafePointer<Float>, plane: Int, channels: Int,
        cells: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    ) {
        #if arch(x86_64)
            ck_wino_scatter_tile(
                source, plane, Int32(channels),
                UnsafeRawPointer(cells).assumingMemoryBound(to: UnsafeMutablePointer<Float>?.self))
        #endif
    }
}
