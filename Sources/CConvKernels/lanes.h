// lanes.h: the one-channel convolution rows (forward and kernel gradient), the pooling band
// and Convolution's planar weighted sum, written once for registers of CK_LANES floats.
// cconvkernels.c includes this file once with CK_LANES 8 (AVX2 + FMA) and once with 16
// (AVX-512); its CK_* macros name the intrinsics of that width. Every lane does the same sums,
// compares and selections in the same order at both widths, so both give the same bits
// (WideKernelTests, WeightedSumLanesTests).

/// `value`, or zero where it is below zero (NaN and -0 kept, as the portable loops do).
CK_LANES_TARGET static inline CK_VEC CK_NAME(relu_keeping_nan)(CK_VEC value) {
    return CK_BLEND(CK_CMP(value, CK_OP(setzero_ps)(), _CMP_LT_OQ), value, CK_OP(setzero_ps)());
}

/// `pixels` (1 or 4) pixels whose windows start at `corner`, `groups` (1 or 2) registers of
/// filters each: the bias, then one fused multiply-add per tap in row-major tap order.
CK_LANES_TARGET static inline void CK_NAME(forward_block)(const float *corner, const float *kernel, const float *bias,
                                                          const ck_conv_row_shape *s, int relu, float *output,
                                                          int pixels, int groups) {
    CK_VEC sum[4][2];
    for (int g = 0; g < groups; g++) {
        CK_VEC b = CK_OP(loadu_ps)(bias + CK_LANES * g);
        for (int p = 0; p < pixels; p++) sum[p][g] = b;
    }
    const ptrdiff_t step = s->stride_x;
    int tap = 0;
    for (int ky = 0; ky < s->kernel_height; ky++) {
        const float *row = corner + ky * s->dilation_y * s->padded_width;
        for (int kx = 0; kx < s->kernel_width; kx++, tap++) {
            const float *source = row + kx * s->dilation_x;
            const float *weights = kernel + (ptrdiff_t)tap * s->filters;
            for (int g = 0; g < groups; g++) {
                CK_VEC w = CK_OP(loadu_ps)(weights + CK_LANES * g);
                for (int p = 0; p < pixels; p++) {
                    sum[p][g] = CK_OP(fmadd_ps)(CK_OP(set1_ps)(source[p * step]), w, sum[p][g]);
                }
            }
        }
    }
    for (int p = 0; p < pixels; p++) {
        for (int g = 0; g < groups; g++) {
            CK_VEC value = relu ? CK_NAME(relu_keeping_nan)(sum[p][g]) : sum[p][g];
            CK_OP(storeu_ps)(output + (ptrdiff_t)p * s->filters + CK_LANES * g, value);
        }
    }
}

/// See ck_conv_forward_row. The constant pixel and group counts let each call's loops unroll.
CK_LANES_TARGET static void CK_NAME(conv_forward_row)(const float *top, const float *kernel, const float *bias,
                                                      ck_conv_row_shape shape, int relu, float *output) {
    const ck_conv_row_shape *s = &shape;
    for (int f = 0; f + CK_LANES <= s->filters;) {
        int groups = s->filters - f >= 2 * CK_LANES ? 2 : 1;
        int ox = 0;
        for (; ox + 4 <= s->columns; ox += 4) {
            const float *corner = top + (ptrdiff_t)ox * s->stride_x;
            float *target = output + (ptrdiff_t)ox * s->filters + f;
            if (groups == 2) CK_NAME(forward_block)(corner, kernel + f, bias + f, s, relu, target, 4, 2);
            else CK_NAME(forward_block)(corner, kernel + f, bias + f, s, relu, target, 4, 1);
        }
        for (; ox < s->columns; ox++) {
            CK_NAME(forward_block)(top + (ptrdiff_t)ox * s->stride_x, kernel + f, bias + f, s, relu,
                                   output + (ptrdiff_t)ox * s->filters + f, 1, groups);
        }
        f += CK_LANES * groups;
    }
}

/// `groups` (1 or 2) registers of filters of one tap's kernel-gradient sum along the row, even
/// and odd pixels in separate registers, added onto `target`.
CK_LANES_TARGET static inline void CK_NAME(kernel_gradient_block)(const float *source, const float *gradient,
                                                                  const ck_conv_row_shape *s, float *target,
                                                                  int groups) {
    const ptrdiff_t step = s->stride_x, filters = s->filters;
    CK_VEC sum[2][2];
    for (int g = 0; g < groups; g++) sum[0][g] = sum[1][g] = CK_OP(setzero_ps)();
    int ox = 0;
    for (; ox + 2 <= s->columns; ox += 2) {
        for (int p = 0; p < 2; p++) {
            CK_VEC x = CK_OP(set1_ps)(source[(ox + p) * step]);
            for (int g = 0; g < groups; g++) {
                const float *weights = gradient + (ox + p) * filters + CK_LANES * g;
                sum[p][g] = CK_OP(fmadd_ps)(x, CK_OP(loadu_ps)(weights), sum[p][g]);
            }
        }
    }
    for (; ox < s->columns; ox++) {
        CK_VEC x = CK_OP(set1_ps)(source[ox * step]);
        for (int g = 0; g < groups; g++) {
            sum[0][g] = CK_OP(fmadd_ps)(x, CK_OP(loadu_ps)(gradient + ox * filters + CK_LANES * g), sum[0][g]);
        }
    }
    for (int g = 0; g < groups; g++) {
        CK_VEC total = CK_OP(add_ps)(sum[0][g], sum[1][g]);
        CK_OP(storeu_ps)(target + CK_LANES * g, CK_OP(add_ps)(CK_OP(loadu_ps)(target + CK_LANES * g), total));
    }
}

/// See ck_conv_kernel_gradient_row.
CK_LANES_TARGET static void CK_NAME(conv_kernel_gradient_row)(const float *top, const float *gradient,
                                                              ck_conv_row_shape shape, float *kernel_sums) {
    const ck_conv_row_shape *s = &shape;
    int tap = 0;
    for (int ky = 0; ky < s->kernel_height; ky++) {
        const float *row = top + ky * s->dilation_y * s->padded_width;
        for (int kx = 0; kx < s->kernel_width; kx++, tap++) {
            const float *source = row + kx * s->dilation_x;
            float *target = kernel_sums + (ptrdiff_t)tap * s->filters;
            int f = 0;
            for (; f + 2 * CK_LANES <= s->filters; f += 2 * CK_LANES) {
                CK_NAME(kernel_gradient_block)(source, gradient + f, s, target + f, 2);
            }
            for (; f + CK_LANES <= s->filters; f += CK_LANES) {
                CK_NAME(kernel_gradient_block)(source, gradient + f, s, target + f, 1);
            }
        }
    }
}

/// See ck_pool_band.
CK_LANES_TARGET static void CK_NAME(pool_band)(const float *band, int pool_height, int pool_width, int cells,
                                               int filters, float *pooled, float *argmax) {
    const ptrdiff_t row = (ptrdiff_t)cells * pool_width * filters;
    for (int px = 0; px < cells; px++) {
        const float *corner = band + (ptrdiff_t)px * pool_width * filters;
        for (int f = 0; f + CK_LANES <= filters; f += CK_LANES) {
            CK_VEC best = CK_OP(loadu_ps)(corner + f), index = CK_OP(setzero_ps)();
            for (int ky = 0; ky < pool_height; ky++) {
                for (int kx = ky == 0 ? 1 : 0; kx < pool_width; kx++) {
                    CK_VEC value = CK_OP(loadu_ps)(corner + ky * row + (ptrdiff_t)kx * filters + f);
                    CK_MASK greater = CK_CMP(value, best, _CMP_GT_OQ);
                    best = CK_BLEND(greater, best, value);
                    index = CK_BLEND(greater, index, CK_OP(set1_ps)((float)(ky * pool_width + kx)));
                }
            }
            CK_OP(storeu_ps)(pooled + (ptrdiff_t)px * filters + f, best);
            CK_OP(storeu_ps)(argmax + (ptrdiff_t)px * filters + f, index);
        }
    }
}

/// The planar weighted sum (see ck_weighted_sum_checked): four registers of outputs per step,
/// one fused multiply-add per tap from zero; with `check_count` > 0 it also tests
/// `check[0 ..< check_count]` for inf and NaN (`v - v` unordered) in the same steps, whose
/// loads of that row are already in cache.
CK_LANES_TARGET static int CK_NAME(weighted_sum)(const float *const *sources, const float *weights, int taps,
                                                 ptrdiff_t count, float *output, const float *check,
                                                 ptrdiff_t check_count) {
    const ptrdiff_t step = 4 * CK_LANES;
    CK_MASK bad = CK_NO_LANES;
    ptrdiff_t checked = 0, x = 0;
    for (; x + step <= count; x += step) {
        CK_VEC sum[4] = {CK_OP(setzero_ps)(), CK_OP(setzero_ps)(), CK_OP(setzero_ps)(), CK_OP(setzero_ps)()};
        for (int t = 0; t < taps; t++) {
            const float *p = sources[t] + x;
            CK_VEC w = CK_OP(set1_ps)(weights[t]);
            for (int k = 0; k < 4; k++) sum[k] = CK_OP(fmadd_ps)(CK_OP(loadu_ps)(p + CK_LANES * k), w, sum[k]);
        }
        if (x + step <= check_count) {
            for (int k = 0; k < 4; k++) {
                CK_VEC v = CK_OP(loadu_ps)(check + x + CK_LANES * k);
                bad = CK_EITHER(bad, CK_CMP(CK_OP(sub_ps)(v, v), CK_OP(setzero_ps)(), _CMP_UNORD_Q));
            }
            checked = x + step;
        }
        for (int k = 0; k < 4; k++) CK_OP(storeu_ps)(output + x + CK_LANES * k, sum[k]);
    }
#if CK_LANES == 16
    // The last few outputs under a mask: at most three steps.
    for (; x < count; x += CK_LANES) {
        const __mmask16 mask = count - x >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (count - x)) - 1);
        CK_VEC sum = CK_OP(setzero_ps)();
        for (int t = 0; t < taps; t++)
            sum = CK_OP(fmadd_ps)(_mm512_maskz_loadu_ps(mask, sources[t] + x), CK_OP(set1_ps)(weights[t]), sum);
        _mm512_mask_storeu_ps(output + x, mask, sum);
    }
#else
    for (; x + CK_LANES <= count; x += CK_LANES) {
        CK_VEC sum = CK_OP(setzero_ps)();
        for (int t = 0; t < taps; t++)
            sum = CK_OP(fmadd_ps)(CK_OP(loadu_ps)(sources[t] + x), CK_OP(set1_ps)(weights[t]), sum);
        CK_OP(storeu_ps)(output + x, sum);
    }
    for (; x < count; x++) {
        float sum = 0;
        for (int t = 0; t < taps; t++) sum = __builtin_fmaf(sources[t][x], weights[t], sum);
        output[x] = sum;
    }
#endif
    int finite = !CK_ANY(bad);
    for (ptrdiff_t i = checked; i < check_count; i++) {
        unsigned int bits;
        __builtin_memcpy(&bits, check + i, sizeof bits);
        finite &= (bits & 0x7f800000u) != 0x7f800000u;
    }
    return finite;
}
