// cconvkernels.c: the AVX2 + FMA and AVX-512 kernels declared in cconvkernels.h.
//
// Forward: two registers of filters for four pixels per step, their sums kept in registers
// across the taps, each tap one weight load per register, one broadcast per pixel and one
// fused multiply-add per register. Kernel gradient: per tap, two registers of filters summed
// along the row in two pairs of registers. These rows and the pooling band are written once,
// in lanes.h, and built for 8-lane AVX2 and 16-lane AVX-512 registers. Pooling gradient: eight
// filters per compare and blend. Winograd tile transforms: eight channels per register, each
// sum formed in the same order as in the portable Swift loops. Planar weighted sums (the image
// convolution's direct, separable and column passes), also in lanes.h: four registers of pixels
// per step, one fused multiply-add per register and tap (one variant also tests a row for inf
// and NaN in the same pass); ck_correlate_row runs one on a whole row's interior and sums the
// few columns by the edges one tap at a time. Off x86-64 the kernels are not built and
// ck_has_avx2_fma() and ck_has_avx512_skylake() are 0.

#include "cconvkernels.h"
#include "row_interior.h"

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

/// The intrinsics of lanes.h's registers: `narrow` for 8 lanes (AVX2 + FMA), `wide` for 16
/// (AVX-512).
#define CK_PASTE(a, b) CK_PASTE_(a, b)
#define CK_PASTE_(a, b) a##b
#define CK_PICK(narrow, wide) CK_PASTE(CK_PICK_, CK_LANES)(narrow, wide)
#define CK_PICK_8(narrow, wide) narrow
#define CK_PICK_16(narrow, wide) wide
#define CK_LANES_TARGET CK_PICK(CK_TARGET, __attribute__((target("avx512f,fma"))))
#define CK_VEC CK_PICK(__m256, __m512)
#define CK_MASK CK_PICK(__m256, __mmask16)
#define CK_OP(name) CK_PICK(_mm256_##name, _mm512_##name)
#define CK_CMP(a, b, predicate) CK_PICK(_mm256_cmp_ps(a, b, predicate), _mm512_cmp_ps_mask(a, b, predicate))
/// `b` where `mask` is set, else `a`.
#define CK_BLEND(mask, a, b) CK_PICK(_mm256_blendv_ps(a, b, mask), _mm512_mask_blend_ps(mask, a, b))
/// A mask of no lanes, the lanes set in either of two masks, and whether any lane is set.
#define CK_NO_LANES CK_PICK(_mm256_setzero_ps(), (__mmask16)0)
#define CK_EITHER(a, b) CK_PICK(_mm256_or_ps(a, b), (__mmask16)((a) | (b)))
#define CK_ANY(mask) CK_PICK((_mm256_movemask_ps(mask) != 0), ((mask) != 0))
#define CK_NAME(name) CK_PASTE(name, CK_LANES)

#define CK_LANES 8
#include "lanes.h"
#undef CK_LANES
#define CK_LANES 16
#include "lanes.h"
#undef CK_LANES

void ck_conv_forward_row(const float *top, const float *kernel, const float *bias, ck_conv_row_shape shape,
                         int relu, float *output, int lanes) {
    (lanes == 16 ? conv_forward_row16 : conv_forward_row8)(top, kernel, bias, shape, relu, output);
}

void ck_conv_kernel_gradient_row(const float *top, const float *gradient, ck_conv_row_shape shape,
                                 float *kernel_sums, int lanes) {
    (lanes == 16 ? conv_kernel_gradient_row16 : conv_kernel_gradient_row8)(top, gradient, shape, kernel_sums);
}

void ck_pool_band(const float *band, int pool_height, int pool_width, int cells, int filters, float *pooled,
                  float *argmax, int lanes) {
    (lanes == 16 ? pool_band16 : pool_band8)(band, pool_height, pool_width, cells, filters, pooled, argmax);
}

CK_TARGET static inline __m256 negate(__m256 value) { return _mm256_xor_ps(value, _mm256_set1_ps(-0.0f)); }

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
            if (relu) value[k] = relu_keeping_nan8(value[k]);
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

/// lanes.h's weighted sum on `lanes` lanes (8 or 16).
typedef int (*weighted_sum_fn)(const float *const *, const float *, int, ptrdiff_t, float *, const float *, ptrdiff_t);
static weighted_sum_fn weighted_sum_on(int lanes) { return lanes == 16 ? weighted_sum16 : weighted_sum8; }

void ck_weighted_sum(const float *const *sources, const float *weights, int taps, ptrdiff_t count, float *output,
                     int lanes) {
    weighted_sum_on(lanes)(sources, weights, taps, count, output, NULL, 0);
}

int ck_weighted_sum_checked(const float *const *sources, const float *weights, int taps, ptrdiff_t count,
                            float *output, const float *check, ptrdiff_t check_count, int lanes) {
    return weighted_sum_on(lanes)(sources, weights, taps, count, output, check, check_count);
}

/// Output `x` of a correlation row by the edge, its taps added from zero in order with one
/// fused multiply-add each, each extended column through the boundary rule.
CK_TARGET static float edge_sum(const float *const *lines, const ck_tap_layout *layout, const ck_row_edges *edges,
                                ptrdiff_t x) {
    float total = 0;
    for (int t = 0; t < layout->taps; t++) {
        const ptrdiff_t at = edges->source_column[x + layout->offsets[t]];
        total = __builtin_fmaf(at < 0 ? edges->fill : lines[layout->lines[t]][at], layout->weights[t], total);
    }
    return total;
}

int ck_correlate_row(const float *const *lines, const ck_tap_layout *layout, const ck_row_edges *edges,
                     ptrdiff_t count, float *output, const float *check, int lanes) {
    const weighted_sum_fn sum = weighted_sum_on(lanes);
    const int taps = layout->taps;
    const ptrdiff_t check_count = check ? edges->input_columns : 0;
    // The interior reads the input rows in place.
    const ck_interior interior = ck_row_interior(edges, layout->span, count);
    int finite = 1;
    if (interior.upper > interior.lower) {
        const float *sources[taps > 0 ? taps : 1];
        for (int t = 0; t < taps; t++)
            sources[t] = lines[layout->lines[t]] + (interior.lower - edges->left) + layout->offsets[t];
        finite = sum(sources, layout->weights, taps, interior.upper - interior.lower, output + interior.lower, check,
                     check_count);
    } else if (check) {
        finite = sum(NULL, NULL, 0, 0, NULL, check, check_count);
    }
    // The columns by the edges, one at a time through the boundary rule, in the same order.
    for (ptrdiff_t x = 0; x < interior.lower; x++) output[x] = edge_sum(lines, layout, edges, x);
    for (ptrdiff_t x = interior.upper; x < count; x++) output[x] = edge_sum(lines, layout, edges, x);
    return finite;
}

#else

int ck_has_avx2_fma(void) { return 0; }

int ck_weighted_sum_checked(const float *const *sources, const float *weights, int taps, ptrdiff_t count,
                            float *output, const float *check, ptrdiff_t check_count, int lanes) {
    (void)sources, (void)weights, (void)taps, (void)count, (void)output, (void)check, (void)check_count, (void)lanes;
    return 0;
}

int ck_has_avx512_skylake(void) { return 0; }

int ck_correlate_row(const float *const *lines, const ck_tap_layout *layout, const ck_row_edges *edges,
                     ptrdiff_t count, float *output, const float *check, int lanes) {
    (void)lines, (void)layout, (void)edges, (void)count, (void)output, (void)check, (void)lanes;
    return 0;
}

void ck_weighted_sum(const float *const *sources, const float *weights, int taps, ptrdiff_t count, float *output,
                     int lanes) {
    (void)sources, (void)weights, (void)taps, (void)count, (void)output, (void)lanes;
}

#endif
