// cconvkernels.c: the AVX2 + FMA row kernels declared in cconvkernels.h.
//
// Forward: sixteen filters (two registers) of four pixels per step, their sums kept in
// registers across the taps, each tap one weight load per eight filters, one broadcast per
// pixel and one fused multiply-add per register. Kernel gradient: per tap, sixteen filters
// summed along the row in two pairs of registers. Off x86-64 the kernels are not built and
// ck_has_avx2_fma() is 0.

#include "cconvkernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

int ck_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#define CK_TARGET __attribute__((target("avx2,fma")))

/// `count` registers of eight filters for four pixels whose windows start at `corner`.
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
    __m256 zero = _mm256_setzero_ps();
    for (int p = 0; p < 4; p++) {
        for (int g = 0; g < groups; g++) {
            __m256 value = relu ? _mm256_max_ps(sum[p][g], zero) : sum[p][g];
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
    _mm256_storeu_ps(output, relu ? _mm256_max_ps(sum, _mm256_setzero_ps()) : sum);
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

CK_TARGET void ck_conv_kernel_gradient_row(const float *top, const float *gradient, ck_conv_row_shape shape,
                                           float *kernel_sums) {
    const ck_conv_row_shape *s = &shape;
    const ptrdiff_t step = s->stride_x, filters = s->filters;
    int tap = 0;
    for (int ky = 0; ky < s->kernel_height; ky++) {
        const float *row = top + ky * s->dilation_y * s->padded_width;
        for (int kx = 0; kx < s->kernel_width; kx++, tap++) {
            const float *source = row + kx * s->dilation_x;
            float *target = kernel_sums + tap * filters;
            int f = 0;
            for (; f + 16 <= filters; f += 16) {
                __m256 a0 = _mm256_setzero_ps(), a1 = a0, b0 = a0, b1 = a0;
                int ox = 0;
                for (; ox + 2 <= s->columns; ox += 2) {
                    const float *g = gradient + ox * filters + f;
                    __m256 x0 = _mm256_broadcast_ss(source + ox * step), x1 = _mm256_broadcast_ss(source + (ox + 1) * step);
                    a0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(g), a0);
                    a1 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(g + 8), a1);
                    b0 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(g + filters), b0);
                    b1 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(g + filters + 8), b1);
                }
                for (; ox < s->columns; ox++) {
                    const float *g = gradient + ox * filters + f;
                    __m256 x0 = _mm256_broadcast_ss(source + ox * step);
                    a0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(g), a0);
                    a1 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(g + 8), a1);
                }
                _mm256_storeu_ps(target + f, _mm256_add_ps(_mm256_loadu_ps(target + f), _mm256_add_ps(a0, b0)));
                _mm256_storeu_ps(target + f + 8, _mm256_add_ps(_mm256_loadu_ps(target + f + 8), _mm256_add_ps(a1, b1)));
            }
            for (; f + 8 <= filters; f += 8) {
                __m256 a = _mm256_setzero_ps(), b = a;
                int ox = 0;
                for (; ox + 2 <= s->columns; ox += 2) {
                    const float *g = gradient + ox * filters + f;
                    a = _mm256_fmadd_ps(_mm256_broadcast_ss(source + ox * step), _mm256_loadu_ps(g), a);
                    b = _mm256_fmadd_ps(_mm256_broadcast_ss(source + (ox + 1) * step), _mm256_loadu_ps(g + filters), b);
                }
                for (; ox < s->columns; ox++) {
                    a = _mm256_fmadd_ps(_mm256_broadcast_ss(source + ox * step), _mm256_loadu_ps(gradient + ox * filters + f), a);
                }
                _mm256_storeu_ps(target + f, _mm256_add_ps(_mm256_loadu_ps(target + f), _mm256_add_ps(a, b)));
            }
        }
    }
}

#else

int ck_has_avx2_fma(void) { return 0; }

#endif
