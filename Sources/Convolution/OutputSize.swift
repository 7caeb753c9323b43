// OutputSize: the one convolution-arithmetic formula that every convkit module uses.

import ConvkitSupport

/// The number of outputs along one axis of a convolution or pooling window.
///
/// This is the relation of Dumoulin & Visin, "A guide to convolution arithmetic for deep
/// learning" (2016), in its general form:
///
///     o = floor((i + pBefore + pAfter - d*(k-1) - 1) / s) + 1
///
/// for input size `i`, padding `pBefore`/`pAfter`, kernel size `k`, stride `s` and dilation
/// `d`. Returns 0 when the dilated kernel does not fit in the padded input. The convolution
/// engine, the CNN layers and the diagrams all call this function, so one formula serves all.
///
/// - Precondition: `kernel >= 1`, `stride >= 1`, `dilation >= 1` (callers validate user input).
public func convolutionOutputSize(
    input: Int, kernel: Int, stride: Int = 1, dilation: Int = 1,
    paddingBefore: Int = 0, paddingAfter: Int = 0
) -> Int {
    let span = dilatedKernelSpan(kernel: kernel, dilation: dilation)
    let padded = input + paddingBefore + paddingAfter
    guard padded >= span else { return 0 }
    return (padded - span) / stride + 1
}

/// The input size along one axis of a transposed convolution's output (the inverse relation of
/// ``convolutionOutputSize(input:kernel:stride:dilation:paddingBefore:paddingAfter:)``), as in
/// PyTorch's `ConvTranspose2d`: `o = (i-1)*s - pBefore - pAfter + d*(k-1) + outputPadding + 1`.
public func transposedConvolutionOutputSize(
    input: Int, kernel: Int, stride: Int = 1, dilation: Int = 1,
    paddingBefore: Int = 0, paddingAfter: Int = 0,
    outputPadding: Int = 0
) -> Int {
    (input - 1) * stride - paddingBefore - paddingAfter
        + dilatedKernelSpan(kernel: kernel, dilation: dilation) + outputPadding
}
