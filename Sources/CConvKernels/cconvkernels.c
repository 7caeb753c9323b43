// cconvkernels.c: the AVX2 + FMA kernels declared in cconvkernels.h.
//
// Forward: sixteen filters (two registers) of four pixels per step, their sums kept in
// registers across the taps, each tap one weight load per eight filters, one broadcast per
// pixel and one fused multiply-add per register. Kernel gradient: per tap, sixteen filters
// summed along the row in two pairs of registers. Pooling and its gradient: eight filters per
// compare and blend. Winograd tile transforms: eight channels per register, each sum formed in
// the same order as in the portable Swift loops. Planar weighted sums (the image convolution's
// direct, separable and column passes): thirty-two pixels in four registers per step, one
// fused multiply-add per register and tap (one variant also tests a row for inf and NaN in
// the same pass). The *_avx512 kernels are the convolution rows and
// the pooling on sixteen-lane AVX-512 registers, the same sums, compares and selections in the
// same order, so the same bits. Off x86-64 the kernels are not built and ck_has_avx2_fma() and
// ck_has_avx512_skylake() are 0.

#include "cconvkernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

int ck_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int ck_has_avx512_skylake(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
}

#define CK_TARGET __attribute__((target("avx2,fma")))
#define CK_TARGET_512 __attribute__((target("avx512f,fma")))

CK_TARGET static inline __m256 negate(__m256 value) { return _mm256_xor_ps(value, _mm256_set1_ps(-0.0f)); }

/// `value`, or zero where it is below zero (NaN and -0 kept, as the portable loops do).
CK_TARGET static inline __m256 relu_keeping_nan(__m256 value) {
    return _mm256_blendv_ps(value, _mm256_setzero_ps(), _mm256_cmp_ps(value, _mm256_setzero_ps(), _CMP_LT_OQ));
}

/// `groups` (1 or 2) registers of eight filters for four pixels whose windows start at `corner`.
CK_TARGET static inline void forward_block(const float *corner, const float *kernel, const float *bias,
                                           const ck_conv_row_shape *s, int relu, float *output, int groups) {
    __m256 sum[4][2];
    for (int g = 0; g < groups; g++) {
        __m256 b = _mm256_loadu_ps(bias + 8 * g);
        for (int p = 0; p < 4; p++) sum[p][g] = b;
    }
    const ptrdiff_t step = s->stride_x;
    int tap = 0;
    for (int ky = 0; ky < s->kernel_height; ky++) {
        const float *row = corner + ky * s->dilation_y * s->padded_width;
        for (int kx = 0; kx < s->kernel_width; kx++, tap++) {
            const float *source = row + kx * s->dilation_x;
            const float *weights = kernel + (ptrdiff_t)tap * s->filters;
            for (int g = 0; g < groups; g++) {
                __m256 w = _mm256_loadu_ps(weights + 8 * g);
                for (int p = 0; p < 4; p++) sum[p][g] = _mm256_fmadd_ps(_mm256_broadcast_ss(source + p * step), w, sum[p][g]);
            }
        }
    }
    for (int p = 0; p < 4; p++) {
        for (int g = 0; g < groups; g++) {
            __m256 value = relu ? relu_keeping_nan(sum[p][g]) : sum[p][g];
            _mm256_storeu_ps(output + (ptrdiff_t)p * s->filters + 8 * g, value);
        }
    }
}

/// Eight filters of one pixel whose window starts at `corner`.
CK_TARGET static inline void forward_pixel(const float *corner, const float *kernel, const float *bias,
                                           const ck_conv_row_shape *s, int relu, float *output) {
    __m256 sum = _mm256_loadu_ps(bias);
    int tap = 0;
    for (int ky = 0; ky < s->kernel_height; ky++) {
        const float *row = corner + ky * s->dilation_y * s->padded_width;
        for (int kx = 0; kx < s->kernel_width; kx++, tap++) {
            __m256 w = _mm256_loadu_ps(kernel + (ptrdiff_t)tap * s->filters);
            sum = _mm256_fmadd_ps(_mm256_broadcast_ss(row + kx * s->dilation_x), w, sum);
        }
    }
    _mm256_storeu_ps(output, relu ? relu_keeping_nan(sum) : sum);
}

CK_TARGET void ck_conv_forward_row(const float *top, const float *kernel, const float *bias,
                                   ck_conv_row_shape shape, int relu, float *output) {
    const ck_conv_row_shape *s = &shape;
    int f = 0;
    for (; f + 8 <= s->filters; ) {
        int groups = s->filters - f >= 16 ? 2 : 1;
        int ox = 0;
        for (; ox + 4 <= s->columns; ox += 4) {
            const float *corner = top + (ptrdiff_t)ox * s->stride_x;
            float *target = output + (ptrdiff_t)ox * s->filters + f;
            if (groups == 2) forward_block(corner, kernel + f, bias + f, s, relu, target, 2);
            else forward_block(corner, kernel + f, bias + f, s, relu, target, 1);
        }
        for (; ox < s->columns; ox++) {
            for (int g = 0; g < groups; g++) {
                forward_pixel(top + (ptrdiff_t)ox * s->stride_x, kernel + f + 8 * g, bias + f + 8 * g, s, relu,
                              output + (ptrdiff_t)ox * s->filters + f + 8 * g);
            }
        }
        f += 8 * groups;
    }
}

/// `value`, or zero where it is below zero (NaN and -0 kept), sixteen filters at once.
CK_TARGET_512 static inline __m512 relu_keeping_nan_512(__m512 value) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(value, _mm512_setzero_ps(), _CMP_LT_OQ), value,
                                _mm512_setzero_ps());
}

/// `pixels` (1 or 4) pixels whose windows start at `corner`, `groups` (1 or 2) registers of
/// sixteen filters each: forward_block's sums in the same order, on twice the lanes.
CK_TARGET_512 static inline void forward_block_512(const float *corner, const float *kernel, const float *bias,
                                                   const ck_conv_row_shape *s, int relu, float *output,
                                                   int pixels, int groups) {
    __m512 sum[4][2];
    for (int g = 0; g < groups; g++) {
        __m512 b = _mm512_loadu_ps(bias + 16 * g);
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
                __m512 w = _mm512_loadu_ps(weights + 16 * g);
                for (int p = 0; p < pixels; p++) sum[p][g] = _mm512_fmadd_ps(_mm512_set1_ps(source[p * step]), w, sum[p][g]);
            }
        }
    }
    for (int p = 0; p < pixels; p++) {
        for (int g = 0; g < groups; g++) {
            __m512 value = relu ? relu_keeping_nan_512(sum[p][g]) : sum[p][g];
            _mm512_storeu_ps(output + (ptrdiff_t)p * s->filters + 16 * g, value);
        }
    }
}

CK_TARGET_512 void ck_conv_forward_row_avx512(const float *top, const float *kernel, const float *bias,
                                              ck_conv_row_shape shape, int relu, float *output) {
    const ck_conv_row_shape *s = &shape;
    for (int f = 0; f + 16 <= s->filters;) {
        int groups = s->filters - f >= 32 ? 2 : 1;
        int ox = 0;
        for (; ox + 4 <= s->columns; ox += 4) {
            const float *corner = top + (ptrdiff_t)ox * s->stride_x;
            float *target = output + (ptrdiff_t)ox * s->filters + f;
            if (groups == 2) forward_block_512(corner, kernel + f, bias + f, s, relu, target, 4, 2);
            else forward_block_512(corner, kernel + f, bias + f, s, relu, target, 4, 1);
        }
        for (; ox < s->columns; ox++) {
            forward_block_512(top + (ptrdiff_t)ox * s->stride_x, kernel + f, bias + f, s, relu,
                              output + (ptrdiff_t)ox * s->filters + f, 1, groups);
        }
        f += 16 * groups;
    }
}

/// `groups` (1 or 2) registers of eight filters of one tap's kernel-gradient sum along the
/// row, even and odd pixels in separate registers, added onto `target`.
CK_TARGET static inline void kernel_gradient_block(const float *source, const float *gradient, const ck_conv_row_shape *s,
                                                   float *target, int groups) {
    const ptrdiff_t step = s->stride_x, filters = s->filters;
    __m256 sum[2][2];
    for (int g = 0; g < groups; g++) sum[0][g] = sum[1][g] = _mm256_setzero_ps();
    int ox = 0;
    for (; ox + 2 <= s->columns; ox += 2) {
        for (int p = 0; p < 2; p++) {
            __m256 x = _mm256_broadcast_ss(source + (ox + p) * step);
            for (int g = 0; g < groups; g++) {
                sum[p][g] = _mm256_fmadd_ps(x, _mm256_loadu_ps(gradient + (ox + p) * filters + 8 * g), sum[p][g]);
            }
        }
    }
    for (; ox < s->columns; ox++) {
        __m256 x = _mm256_broadcast_ss(source + ox * step);
        for (int g = 0; g < groups; g++) sum[0][g] = _mm256_fmadd_ps(x, _mm256_loadu_ps(gradient + ox * filters + 8 * g), sum[0][g]);
    }
    for (int g = 0; g < groups; g++) {
        _mm256_storeu_ps(target + 8 * g, _mm256_add_ps(_mm256_loadu_ps(target + 8 * g), _mm256_add_ps(sum[0][g], sum[1][g])));
    }
}

CK_TARGET void ck_conv_kernel_gradient_row(const float *top, const float *gradient, ck_conv_row_shape shape,
                                           float *kernel_sums) {
    const ck_conv_row_shape *s = &shape;
    int tap = 0;
    for (int ky = 0; ky < s->kernel_height; ky++) {
        const float *row = top + ky * s->dilation_y * s->padded_width;
        for (int kx = 0; kx < s->kernel_width; kx++, tap++) {
            const float *source = row + kx * s->dilation_x;
            float *target = kernel_sums + (ptrdiff_t)tap * s->filters;
            int f = 0;
            for (; f + 16 <= s->filters; f += 16) kernel_gradient_block(source, gradient + f, s, target + f, 2);
            for (; f + 8 <= s->filters; f += 8) kernel_gradient_block(source, gradient + f, s, target + f, 1);
        }
    }
}

/// kernel_gradient_block on sixteen-lane registers: the same sums in the same order.
CK_TARGET_512 static inline void kernel_gradient_block_512(const float *source, const float *gradient,
                                                           const ck_conv_row_shape *s, float *target, int groups) {
    const ptrdiff_t step = s->stride_x, filters = s->filters;
    __m512 sum[2][2];
    for (int g = 0; g < groups; g++) sum[0][g] = sum[1][g] = _mm512_setzero_ps();
    int ox = 0;
    for (; ox + 2 <= s->columns; ox += 2) {
        for (int p = 0; p < 2; p++) {
            __m512 x = _mm512_set1_ps(source[(ox + p) * step]);
            for (int g = 0; g < groups; g++) {
                sum[p][g] = _mm512_fmadd_ps(x, _mm512_loadu_ps(gradient + (ox + p) * filters + 16 * g), sum[p][g]);
            }
        }
    }
    for (; ox < s->columns; ox++) {
        __m512 x = _mm512_set1_ps(source[ox * step]);
        for (int g = 0; g < groups; g++) sum[0][g] = _mm512_fmadd_ps(x, _mm512_loadu_ps(gradient + ox * filters + 16 * g), sum[0][g]);
    }
    for (int g = 0; g < groups; g++) {
        _mm512_storeu_ps(target + 16 * g, _mm512_add_ps(_mm512_loadu_ps(target + 16 * g), _mm512_add_ps(sum[0][g], sum[1][g])));
    }
}

CK_TARGET_512 void ck_conv_kernel_gradient_row_avx512(const float *top, const float *gradient, ck_conv_row_shape shape,
                                                      float *kernel_sums) {
    const ck_conv_row_shape *s = &shape;
    int tap = 0;
    for (int ky = 0; ky < s->kernel_height; ky++) {
        const float *row = top + ky * s->dilation_y * s->padded_width;
        for (int kx = 0; kx < s->kernel_width; kx++, tap++) {
            const float *source = row + kx * s->dilation_x;
            float *target = kernel_sums + (ptrdiff_t)tap * s->filters;
            int f = 0;
            for (; f + 32 <= s->filters; f += 32) kernel_gradient_block_512(source, gradient + f, s, target + f, 2);
            for (; f + 16 <= s->filters; f += 16) kernel_gradient_block_512(source, gradient + f, s, target + f, 1);
        }
    }
}


CK_TARGET void ck_pool_band(const float *band, int pool_height, int pool_width, int cells, int filters,
                            float *pooled, float *argmax) {
    const ptrdiff_t row = (ptrdiff_t)cells * pool_width * filters;
    for (int px = 0; px < cells; px++) {
        const float *corner = band + (ptrdiff_t)px * pool_width * filters;
        for (int f = 0; f + 8 <= filters; f += 8) {
            __m256 best = _mm256_loadu_ps(corner + f), index = _mm256_setzero_ps();
            for (int ky = 0; ky < pool_height; ky++) {
                for (int kx = ky == 0 ? 1 : 0; kx < pool_width; kx++) {
                    __m256 value = _mm256_loadu_ps(corner + ky * row + (ptrdiff_t)kx * filters + f);
                    __m256 greater = _mm256_cmp_ps(value, best, _CMP_GT_OQ);
                    best = _mm256_blendv_ps(best, value, greater);
                    index = _mm256_blendv_ps(index, _mm256_set1_ps((float)(ky * pool_width + kx)), greater);
                }
            }
            _mm256_storeu_ps(pooled + (ptrdiff_t)px * filters + f, best);
            _mm256_storeu_ps(argmax + (ptrdiff_t)px * filters + f, index);
        }
    }
}

CK_TARGET_512 void ck_pool_band_avx512(const float *band, int pool_height, int pool_width, int cells, int filters,
                                       float *pooled, float *argmax) {
    const ptrdiff_t row = (ptrdiff_t)cells * pool_width * filters;
    for (int px = 0; px < cells; px++) {
        const float *corner = band + (ptrdiff_t)px * pool_width * filters;
        for (int f = 0; f + 16 <= filters; f += 16) {
            __m512 best = _mm512_loadu_ps(corner + f), index = _mm512_setzero_ps();
            for (int ky = 0; ky < pool_height; ky++) {
                for (int kx = ky == 0 ? 1 : 0; kx < pool_width; kx++) {
                    __m512 value = _mm512_loadu_ps(corner + ky * row + (ptrdiff_t)kx * filters + f);
                    __mmask16 greater = _mm512_cmp_ps_mask(value, best, _CMP_GT_OQ);
                    best = _mm512_mask_blend_ps(greater, best, value);
                    index = _mm512_mask_blend_ps(greater, index, _mm512_set1_ps((float)(ky * pool_width + kx)));
                }
            }
            _mm512_storeu_ps(pooled + (ptrdiff_t)px * filters + f, best);
            _mm512_storeu_ps(argmax + (ptrdiff_t)px * filters + f, index);
        }
    }
}

CK_TARGET void ck_unpool_row(int window_row, const float *gradient, const float *pooled, const float *argmax,
                             int pool_width, int cells, int filters, float *row) {
    const __m256 zero = _mm256_setzero_ps();
    for (int px = 0; px < cells; px++) {
        const ptrdiff_t cell = (ptrdiff_t)px * filters;
        for (int kx = 0; kx < pool_width; kx++) {
            const __m256 position = _mm256_set1_ps((float)(window_row * pool_width + kx));
            float *target = row + ((ptrdiff_t)px * pool_width + kx) * filters;
            for (int f = 0; f + 8 <= filters; f += 8) {
                __m256 wins = _mm256_cmp_ps(_mm256_loadu_ps(argmax + cell + f), position, _CMP_EQ_OQ);
                if (pooled) wins = _mm256_and_ps(wins, _mm256_cmp_ps(_mm256_loadu_ps(pooled + cell + f), zero, _CMP_GT_OQ));
                _mm256_storeu_ps(target + f, _mm256_and_ps(wins, _mm256_loadu_ps(gradient + cell + f)));
            }
        }
    }
}

CK_TARGET void ck_wino_input_tile(const float *const *cells, int channels, float *target, ptrdiff_t plane) {
    for (int ch = 0; ch + 8 <= channels; ch += 8) {
        __m256 t[4][4];
        for (int r = 0; r < 4; r++) {
            // Along each row: (a - c, b + c, c - b, b - d).
            __m256 a = _mm256_loadu_ps(cells[4 * r] + ch), b = _mm256_loadu_ps(cells[4 * r + 1] + ch);
            __m256 c = _mm256_loadu_ps(cells[4 * r + 2] + ch), d = _mm256_loadu_ps(cells[4 * r + 3] + ch);
            t[r][0] = _mm256_sub_ps(a, c);
            t[r][1] = _mm256_add_ps(b, c);
            t[r][2] = _mm256_sub_ps(c, b);
            t[r][3] = _mm256_sub_ps(b, d);
        }
        for (int j = 0; j < 4; j++) {
            // Down each column, the same combination.
            float *out = target + ch + j * plane;
            _mm256_storeu_ps(out, _mm256_sub_ps(t[0][j], t[2][j]));
            _mm256_storeu_ps(out + 4 * plane, _mm256_add_ps(t[1][j], t[2][j]));
            _mm256_storeu_ps(out + 8 * plane, _mm256_sub_ps(t[2][j], t[1][j]));
            _mm256_storeu_ps(out + 12 * plane, _mm256_sub_ps(t[1][j], t[3][j]));
        }
    }
}

CK_TARGET void ck_wino_pool_output_tile(const float *source, ptrdiff_t plane, const float *bias, int relu, int filters,
                                        float *pooled, float *argmax) {
    for (int f = 0; f + 8 <= filters; f += 8) {
        __m256 r[4][2];
        for (int i = 0; i < 4; i++) {
            // Along each row: (a + b + c, b - c - d).
            __m256 a = _mm256_loadu_ps(source + (4 * i) * plane + f), b = _mm256_loadu_ps(source + (4 * i + 1) * plane + f);
            __m256 c = _mm256_loadu_ps(source + (4 * i + 2) * plane + f), d = _mm256_loadu_ps(source + (4 * i + 3) * plane + f);
            r[i][0] = _mm256_add_ps(_mm256_add_ps(a, b), c);
            r[i][1] = _mm256_sub_ps(_mm256_sub_ps(b, c), d);
        }
        __m256 value[4];
        for (int j = 0; j < 2; j++) {
            // Down each column: value[row * 2 + column].
            value[j] = _mm256_add_ps(_mm256_add_ps(r[0][j], r[1][j]), r[2][j]);
            value[2 + j] = _mm256_sub_ps(_mm256_sub_ps(r[1][j], r[2][j]), r[3][j]);
        }
        __m256 b = _mm256_loadu_ps(bias + f);
        for (int k = 0; k < 4; k++) {
            value[k] = _mm256_add_ps(value[k], b);
            if (relu) value[k] = relu_keeping_nan(value[k]);
        }
        __m256 best = value[0], index = _mm256_setzero_ps();
        for (int k = 1; k < 4; k++) {
            __m256 greater = _mm256_cmp_ps(value[k], best, _CMP_GT_OQ);
            best = _mm256_blendv_ps(best, value[k], greater);
            index = _mm256_blendv_ps(index, _mm256_set1_ps((float)k), greater);
        }
        _mm256_storeu_ps(pooled + f, best);
        _mm256_storeu_ps(argmax + f, index);
    }
}

CK_TARGET void ck_wino_unpool_gradient_tile(const float *gradient, const float *pooled, const float *argmax, int filters,
                                            float *target, ptrdiff_t plane, float *bias_sums) {
    const __m256 zero = _mm256_setzero_ps();
    for (int f = 0; f + 8 <= filters; f += 8) {
        __m256 value = _mm256_loadu_ps(gradient + f), positions = _mm256_loadu_ps(argmax + f);
        __m256 open = pooled ? _mm256_cmp_ps(_mm256_loadu_ps(pooled + f), zero, _CMP_GT_OQ) : _mm256_castsi256_ps(_mm256_set1_epi32(-1));
        __m256 y[4];
        for (int k = 0; k < 4; k++) {
            __m256 wins = _mm256_and_ps(_mm256_cmp_ps(positions, _mm256_set1_ps((float)k), _CMP_EQ_OQ), open);
            y[k] = _mm256_and_ps(wins, value);
        }
        _mm256_storeu_ps(bias_sums + f, _mm256_add_ps(_mm256_loadu_ps(bias_sums + f),
                                                      _mm256_add_ps(_mm256_add_ps(y[0], y[1]), _mm256_add_ps(y[2], y[3]))));
        // Along each row: (a, a + b, a - b, -b) of (y00, y01) and of (y10, y11).
        __m256 top[4] = {y[0], _mm256_add_ps(y[0], y[1]), _mm256_sub_ps(y[0], y[1]), negate(y[1])};
        __m256 bottom[4] = {y[2], _mm256_add_ps(y[2], y[3]), _mm256_sub_ps(y[2], y[3]), negate(y[3])};
        for (int k = 0; k < 4; k++) {
            // Down each column, the same combination.
            float *out = target + f + k * plane;
            _mm256_storeu_ps(out, top[k]);
            _mm256_storeu_ps(out + 4 * plane, _mm256_add_ps(top[k], bottom[k]));
            _mm256_storeu_ps(out + 8 * plane, _mm256_sub_ps(top[k], bottom[k]));
            _mm256_storeu_ps(out + 12 * plane, negate(bottom[k]));
        }
    }
}

CK_TARGET void ck_wino_scatter_tile(const float *source, ptrdiff_t plane, int channels, float *const *cells) {
    for (int ch = 0; ch + 8 <= channels; ch += 8) {
        __m256 r[4][4];
        for (int i = 0; i < 4; i++) {
            // Along each row: (a, b - c + d, b + c - a, -d).
            __m256 a = _mm256_loadu_ps(source + (4 * i) * plane + ch), b = _mm256_loadu_ps(source + (4 * i + 1) * plane + ch);
            __m256 c = _mm256_loadu_ps(source + (4 * i + 2) * plane + ch), d = _mm256_loadu_ps(source + (4 * i + 3) * plane + ch);
            r[i][0] = a;
            r[i][1] = _mm256_add_ps(_mm256_sub_ps(b, c), d);
            r[i][2] = _mm256_sub_ps(_mm256_add_ps(b, c), a);
            r[i][3] = negate(d);
        }
        for (int k = 0; k < 4; k++) {
            // Down each column, the same combination, added onto cells k, 4 + k, 8 + k, 12 + k.
            __m256 column[4] = {r[0][k], _mm256_add_ps(_mm256_sub_ps(r[1][k], r[2][k]), r[3][k]),
                                _mm256_sub_ps(_mm256_add_ps(r[1][k], r[2][k]), r[0][k]), negate(r[3][k])};
            for (int i = 0; i < 4; i++) {
                float *cell = cells[4 * i + k] + ch;
                _mm256_storeu_ps(cell, _mm256_add_ps(_mm256_loadu_ps(cell), column[i]));
            }
        }
    }
}

/// The planar weighted sum; with `check_count` > 0 it also returns whether `check[0 ..<
/// check_count]` is all finite, the exponent test folded into the thirty-two-wide steps, whose
/// loads of that row are already in cache (with 0, the test compiles away).
CK_TARGET static inline int weighted_sum(const float *const *sources, const float *weights, int taps, ptrdiff_t count,
                                         float *output, const float *check, ptrdiff_t check_count) {
    const __m256i exponent = _mm256_set1_epi32(0x7f800000);
    __m256i bad = _mm256_setzero_si256();
    ptrdiff_t checked = 0, x = 0;
    for (; x + 32 <= count; x += 32) {
        __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
        for (int t = 0; t < taps; t++) {
            const float *p = sources[t] + x;
            __m256 w = _mm256_broadcast_ss(weights + t);
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(p), w, s0);
            s1 = _mm256_fmadd_ps(_mm256_loadu_ps(p + 8), w, s1);
            s2 = _mm256_fmadd_ps(_mm256_loadu_ps(p + 16), w, s2);
            s3 = _mm256_fmadd_ps(_mm256_loadu_ps(p + 24), w, s3);
        }
        if (x + 32 <= check_count) {
            for (int k = 0; k < 4; k++) {
                __m256i bits = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(check + x + 8 * k)), exponent);
                bad = _mm256_or_si256(bad, _mm256_cmpeq_epi32(bits, exponent));
            }
            checked = x + 32;
        }
        _mm256_storeu_ps(output + x, s0);
        _mm256_storeu_ps(output + x + 8, s1);
        _mm256_storeu_ps(output + x + 16, s2);
        _mm256_storeu_ps(output + x + 24, s3);
    }
    for (; x + 8 <= count; x += 8) {
        __m256 s = _mm256_setzero_ps();
        for (int t = 0; t < taps; t++) s = _mm256_fmadd_ps(_mm256_loadu_ps(sources[t] + x), _mm256_broadcast_ss(weights + t), s);
        _mm256_storeu_ps(output + x, s);
    }
    for (; x < count; x++) {
        float s = 0;
        for (int t = 0; t < taps; t++) s = __builtin_fmaf(sources[t][x], weights[t], s);
        output[x] = s;
    }
    int finite = _mm256_testz_si256(bad, bad);
    for (ptrdiff_t i = checked; i < check_count; i++) {
        unsigned int bits;
        __builtin_memcpy(&bits, check + i, sizeof bits);
        finite &= (bits & 0x7f800000u) != 0x7f800000u;
    }
    return finite;
}

CK_TARGET void ck_weighted_sum(const float *const *sources, const float *weights, int taps, ptrdiff_t count,
                               float *output) {
    weighted_sum(sources, weights, taps, count, output, NULL, 0);
}

CK_TARGET int ck_weighted_sum_checked(const float *const *sources, const float *weights, int taps, ptrdiff_t count,
                                      float *output, const float *check, ptrdiff_t check_count) {
    return weighted_sum(sources, weights, taps, count, output, check, check_count);
}

#else

int ck_has_avx2_fma(void) { return 0; }

int ck_weighted_sum_checked(const float *const *sources, const float *weights, int taps, ptrdiff_t count,
                            float *output, const float *check, ptrdiff_t check_count) {
    (void)sources, (void)weights, (void)taps, (void)count, (void)output, (void)check, (void)check_count;
    return 0;
}

int ck_has_avx512_skylake(void) { return 0; }

void ck_weighted_sum(const float *const *sources, const float *weights, int taps, ptrdiff_t count, float *output) {
    (void)sources, (void)weights, (void)taps, (void)count, (void)output;
}

#endif

#if defined(__GLIBC__)
#include <malloc.h>
#endif

void ck_keep_freed_buffers(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
#endif
}
