// cconvkernels.h: AVX2 + FMA kernels for the one-input-channel convolution rows of LearnedFilters.
//
// The Swift passes in ConvDirect call these when the processor has AVX2 and FMA
// (ck_has_avx2_fma), and use their own portable SIMD loops otherwise. Both read a zero-padded
// copy of one sample, so no tap falls outside it.

#ifndef CCONVKERNELS_H
#define CCONVKERNELS_H

#include <stddef.h>

/// The shape of a convolution with one input channel, as the row kernels see it.
typedef struct {
    int kernel_height, kernel_width;
    int stride_x;
    int dilation_y, dilation_x;
    /// Row length of the zero-padded sample, in floats.
    ptrdiff_t padded_width;
    /// Output pixels per row, and filters per pixel.
    int columns, filters;
} ck_conv_row_shape;

/// 1 when this processor runs the kernels below (x86-64 with AVX2 and FMA), else 0.
int ck_has_avx2_fma(void);

/// One output row: `output[ox * filters + f] = bias[f] + sum over taps of window(ox, tap) *
/// kernel[tap * filters + f]`, then ReLU if `relu`. `top` is the padded sample's first row
/// under this output row, at column 0. Needs filters % 8 == 0.
void ck_conv_forward_row(const float *top, const float *kernel, const float *bias,
                         ck_conv_row_shape shape, int relu, float *output);

/// One output row's share of the kernel gradient: `kernel_sums[tap * filters + f] += sum
/// over ox of window(ox, tap) * gradient[ox * filters + f]`. Needs filters % 8 == 0.
void ck_conv_kernel_gradient_row(const float *top, const float *gradient, ck_conv_row_shape shape,
                                 float *kernel_sums);

#endif
