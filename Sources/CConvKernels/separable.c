// separable.c: Convolution's separable rows with both passes in registers (AVX-512).
//
// For a rank-1 kernel, column[r] * row[c], each step loads sixteen columns of every kernel row
// and sums them down the column factor (one multiply, then one fused multiply-add per row);
// the row factor is then applied to that vector and the next one, each tap's window shifted
// into place with one two-register permute and added with one fused multiply-add. Nothing is
// stored between the passes, so a 3x3 costs three loads, two permutes and six multiply-adds
// per sixteen outputs where summing its taps directly costs nine loads and nine multiply-adds.
// ck_separable_row does a whole output row in one call: the interior so, the few columns by
// the edges in scalar multiply-adds through the boundary rule, each column sum taken once.

#include "cconvkernels.h"
#include "row_interior.h"

#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define CK_AVX512 __attribute__((target("avx512f")))

/// The first `n` of sixteen lanes (none for n <= 0, all for n >= 16).
static inline __mmask16 first_lanes(ptrdiff_t n) {
    return n >= 16 ? (__mmask16)0xffff : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1);
}

/// The column pass of the sixteen columns from `at`: lanes outside `mask` read nothing and are 0.
CK_AVX512 static inline __m512 column_sum(const float *const *lines, const __m512 *column, int rows, ptrdiff_t at,
                                          __mmask16 mask) {
    __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, lines[0] + at), column[0]);
    for (int r = 1; r < rows; r++) v = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, lines[r] + at), column[r], v);
    return v;
}

/// The row pass of sixteen outputs whose column sums are `current` then `next`.
CK_AVX512 static inline __m512 row_sum(__m512 current, __m512 next, const __m512 *row, const __m512i *shift,
                                       int columns) {
    __m512 sum = _mm512_mul_ps(current, row[0]);
    for (int c = 1; c < columns; c++) sum = _mm512_fmadd_ps(_mm512_permutex2var_ps(current, shift[c], next), row[c], sum);
    return sum;
}

/// ck_separable_sum, always inlined so that the common sizes get their loops unrolled.
CK_AVX512 __attribute__((always_inline)) static inline void separable_sum(const float *const *lines,
                                                                         const float *column, int rows,
                                                                         const float *row, int columns,
                                                                         ptrdiff_t count, float *output,
                                                                         int stream) {
    __m512 down[CK_SEPARABLE_MAX_ROWS], across[CK_SEPARABLE_MAX_COLUMNS];
    __m512i shift[CK_SEPARABLE_MAX_COLUMNS];
    for (int r = 0; r < rows; r++) down[r] = _mm512_set1_ps(column[r]);
    for (int c = 0; c < columns; c++) {
        across[c] = _mm512_set1_ps(row[c]);
        shift[c] = _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                    _mm512_set1_epi32(c));
    }
    // Output x reads column sums x ..< x + columns, so the row needs `needed` of them.
    const ptrdiff_t needed = count + columns - 1;
    ptrdiff_t x = 0;
    // The first outputs up to where the first row's loads fall on 64-byte lines, so that the
    // loads of the steps after them do not straddle two lines (when the rows are as aligned
    // as the first): 1024x1024 3x3 from 0.327 to 0.308 ms in a C model of this loop. When
    // streaming, up to where the stores fall on lines instead, as streaming stores must.
    const size_t aligned = stream ? (size_t)output : (size_t)lines[0];
    const ptrdiff_t peel = (ptrdiff_t)(((64 - (aligned & 63)) & 63) / sizeof(float));
    if (peel > 0 && peel + 48 <= needed) {
        __m512 first = column_sum(lines, down, rows, 0, 0xffff);
        __m512 second = column_sum(lines, down, rows, 16, 0xffff);
        _mm512_mask_storeu_ps(output, first_lanes(peel), row_sum(first, second, across, shift, columns));
        x = peel;
    }
    __m512 current = column_sum(lines, down, rows, x, first_lanes(needed - x));
    // Thirty-two outputs per step, the two vectors' sums interleaved, while every load is whole
    // (column_sum and row_sum called twice instead measured 2-4% slower in a C model of the
    // 4096-wide loop, medians of six alternating runs).
    for (; x + 32 <= count && x + 48 <= needed; x += 32) {
        __m512 a = _mm512_mul_ps(_mm512_loadu_ps(lines[0] + x + 16), down[0]);
        __m512 b = _mm512_mul_ps(_mm512_loadu_ps(lines[0] + x + 32), down[0]);
        for (int r = 1; r < rows; r++) {
            a = _mm512_fmadd_ps(_mm512_loadu_ps(lines[r] + x + 16), down[r], a);
            b = _mm512_fmadd_ps(_mm512_loadu_ps(lines[r] + x + 32), down[r], b);
        }
        __m512 s0 = _mm512_mul_ps(current, across[0]), s1 = _mm512_mul_ps(a, across[0]);
        for (int c = 1; c < columns; c++) {
            s0 = _mm512_fmadd_ps(_mm512_permutex2var_ps(current, shift[c], a), across[c], s0);
            s1 = _mm512_fmadd_ps(_mm512_permutex2var_ps(a, shift[c], b), across[c], s1);
        }
        if (stream) {
            _mm512_stream_ps(output + x, s0);
            _mm512_stream_ps(output + x + 16, s1);
        } else {
            _mm512_storeu_ps(output + x, s0);
            _mm512_storeu_ps(output + x + 16, s1);
        }
        current = b;
    }
    for (; x < count; x += 16) {
        __m512 next = column_sum(lines, down, rows, x + 16, first_lanes(needed - x - 16));
        _mm512_mask_storeu_ps(output + x, first_lanes(count - x), row_sum(current, next, across, shift, columns));
        current = next;
    }
    // Streamed stores are weakly ordered: make them visible before the row is handed on.
    if (stream) _mm_sfence();
}

CK_AVX512 void ck_separable_sum(const float *const *lines, const float *column, int rows, const float *row,
                                int columns, ptrdiff_t count, float *output, int stream) {
    // 3x3 and 5x5 (Sobel, Scharr, the small Gaussians and boxes) with their loops unrolled:
    // 5x5 on 1024x1024 takes 0.32 ms where the general loop takes 0.37.
    if (rows == 3 && columns == 3) separable_sum(lines, column, 3, row, 3, count, output, stream);
    else if (rows == 5 && columns == 5) separable_sum(lines, column, 5, row, 5, count, output, stream);
    else separable_sum(lines, column, rows, row, columns, count, output, stream);
}

/// Outputs `from ..< to` of a row (at most 16) by an edge, in the interior's order of
/// operations, so with the bits ck_separable_sum gives: the column sums of the extended columns
/// under them, `from ..< to + columns - 1`, each read through the boundary rule (`edges`) and
/// summed once, then each output's row sum over them.
CK_AVX512 static void edge_outputs(const float *const *lines, const float *column, int rows, const float *row,
                                   int columns, const ck_row_edges *edges, ptrdiff_t from, ptrdiff_t to,
                                   float *output) {
    float sums[16 + CK_SEPARABLE_MAX_COLUMNS - 1];
    for (ptrdiff_t i = 0; i < to - from + columns - 1; i++) {
        const ptrdiff_t at = edges->source_column[from + i];
        float v = (at < 0 ? edges->fill : lines[0][at]) * column[0];
        for (int r = 1; r < rows; r++) v = fmaf(at < 0 ? edges->fill : lines[r][at], column[r], v);
        sums[i] = v;
    }
    for (ptrdiff_t x = from; x < to; x++) {
        const float *window = sums + (x - from);
        float sum = window[0] * row[0];
        for (int c = 1; c < columns; c++) sum = fmaf(window[c], row[c], sum);
        output[x] = sum;
    }
}

/// The outputs `from ..< to` by an edge, sixteen at a time (edge_outputs).
CK_AVX512 static void edge_stretch(const float *const *lines, const float *column, int rows, const float *row,
                                   int columns, const ck_row_edges *edges, ptrdiff_t from, ptrdiff_t to,
                                   float *output) {
    for (ptrdiff_t x = from; x < to; x += 16)
        edge_outputs(lines, column, rows, row, columns, edges, x, x + 16 < to ? x + 16 : to, output);
}

CK_AVX512 void ck_separable_row(const float *const *lines, const float *column, int rows, const float *row,
                                int columns, const ck_row_edges *edges, ptrdiff_t count, float *output, int stream) {
    const ck_interior interior = ck_row_interior(edges, columns, count);
    if (interior.upper > interior.lower) {
        const float *starts[CK_SEPARABLE_MAX_ROWS];
        for (int r = 0; r < rows; r++) starts[r] = lines[r] + (interior.lower - edges->left);
        ck_separable_sum(starts, column, rows, row, columns, interior.upper - interior.lower,
                         output + interior.lower, stream);
    }
    edge_stretch(lines, column, rows, row, columns, edges, 0, interior.lower, output);
    edge_stretch(lines, column, rows, row, columns, edges, interior.upper, count, output);
}

#else

void ck_separable_sum(const float *const *lines, const float *column, int rows, const float *row, int columns,
                      ptrdiff_t count, float *output, int stream) {
    (void)lines, (void)column, (void)rows, (void)row, (void)columns, (void)count, (void)output, (void)stream;
}

void ck_separable_row(const float *const *lines, const float *column, int rows, const float *row, int columns,
                      const ck_row_edges *edges, ptrdiff_t count, float *output, int stream) {
    (void)lines, (void)column, (void)rows, (void)row, (void)columns, (void)edges, (void)count, (void)output;
    (void)stream;
}

#endif
