// FusedMultiplyAdd: ConvDirect's row kernels in C (CConvKernels), for processors with AVX2 and FMA.

import CConvKernels

/// The AVX2 + FMA row kernels of `CConvKernels`: a one-channel convolution's forward row and
/// its kernel-gradient row, with eight filters per register and one fused multiply-add per
/// register and tap, where ``ConvDirect``'s portable SIMD loops need a multiply and an add on
/// half as many lanes. ``ConvDirect`` uses them when ``active`` is true (x86-64 processors with
/// AVX2 and FMA, filter counts divisible by 8) and its own loops otherwise. A fused
/// multiply-add rounds once where the portable loops round twice, so the two paths differ in
/// the last bits; each is tested against the reference loops.
enum FusedMultiplyAdd {
    /// Whether this processor has the kernels.
    static let supported: Bool = {
        #if arch(x86_64)
        return ck_has_avx2_fma() != 0
        #else
        return false
        #endif
    }()

    /// Cleared (with `$allowed.withValue(false)`) to run the portable loops on a processor
    /// that has the kernels, as the tests do.
    @TaskLocal static var allowed = true

    /// Whether a pass that starts now uses the kernels; read once per pass, on its calling thread.
    static var active: Bool { supported && allowed }

    /// The shape of one row for the kernels.
    static func rowShape(_ g: ConvGeometry, paddedWidth: Int, filters: Int) -> ck_conv_row_shape {
        ck_conv_row_shape(kernel_height: Int32(g.kernelHeight), kernel_width: Int32(g.kernelWidth), stride_x: Int32(g.strideX),
                          dilation_y: Int32(g.dilationY), dilation_x: Int32(g.dilationX), padded_width: paddedWidth,
                          columns: Int32(g.outputWidth), filters: Int32(filters))
    }

    /// See ``ConvDirect``'s forward row; `top` is the padded sample's first row under it.
    static func forwardRow(_ top: UnsafePointer<Float>, kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                           shape: ck_conv_row_shape, relu: Bool, output: UnsafeMutablePointer<Float>) {
        #if arch(x86_64)
        ck_conv_forward_row(top, kernel, bias, shape, relu ? 1 : 0, output)
        #endif
    }

    /// See ``ConvDirect``'s kernel-gradient row; `top` is the padded sample's first row under it.
    static func kernelGradientRow(_ top: UnsafePointer<Float>, gradient: UnsafePointer<Float>, shape: ck_conv_row_shape,
                                  kernelSums: UnsafeMutablePointer<Float>) {
        #if arch(x86_64)
        ck_conv_kernel_gradient_row(top, gradient, shape, kernelSums)
        #endif
    }
}
