// cconvkernels.h: AVX2 + FMA kernels of LearnedFilters: the one-input-channel convolution
// rows (forward and kernel gradient, also on AVX-512), max pooling (also on AVX-512) and its
// gradient, the Winograd F(2x2, 3x3) tile transforms and, for any processor, the step of
// pooling over overlapping windows; and Convolution's planar weighted sum, separable rows in
// AVX-512 registers, 8-bit row widening and FFT spectrum product.
//
// The Swift fast paths (FastPaths/AVX2Kernels.swift, used by the direct convolution, the
// pooling and ConvWinograd) call these when the processor has AVX2 and FMA (ck_has_avx2_fma),
// and use their own portable SIMD loops otherwise. The convolution rows read a zero-padded copy
// of one sample, so no tap falls outside it.

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

/// 1 when this processor has the AVX-512 subsets OpenBLAS's SkylakeX kernels use (F, CD, BW,
/// DQ, VL), else 0.
int ck_has_avx512_skylake(void);

// The next three kernels run on registers of `lanes` floats: 8 (AVX2 + FMA) or 16 (AVX-512,
// only where ck_has_avx512_skylake() is 1), and need filters % lanes == 0. Both widths do the
// same sums, compares and selections in the same order, so they give the same bits.

/// One output row: `output[ox * filters + f] = bias[f] + sum over taps of window(ox, tap) *
/// kernel[tap * filters + f]`, then ReLU if `relu`. `top` is the padded sample's first row
/// under this output row, at column 0.
void ck_conv_forward_row(const float *top, const float *kernel, const float *bias,
                         ck_conv_row_shape shape, int relu, float *output, int lanes);

/// One output row's share of the kernel gradient: `kernel_sums[tap * filters + f] += sum
/// over ox of window(ox, tap) * gradient[ox * filters + f]`.
void ck_conv_kernel_gradient_row(const float *top, const float *gradient, ck_conv_row_shape shape,
                                 float *kernel_sums, int lanes);

/// Max pooling of one band of convolution output rows, `[pool_height, cells * pool_width,
/// filters]`, into `cells` pooled cells: the first maximum of each window in row-major order
/// and its position, as floats.
void ck_pool_band(const float *band, int pool_height, int pool_width, int cells, int filters,
                  float *pooled, float *argmax, int lanes);

/// One convolution output row's gradient from a row of `cells` pooled cells, for window row
/// `window_row`: each pixel gets its cell's gradient where its position is the cell's argmax
/// (and, unless `pooled` is NULL, the pooled value is positive), zero elsewhere.
/// Needs filters % 8 == 0.
void ck_unpool_row(int window_row, const float *gradient, const float *pooled, const float *argmax,
                   int pool_width, int cells, int filters, float *row);

/// Winograd F(2x2, 3x3) tile transforms (LearnedFilters' ConvWinograd), eight channels per
/// register, in the order and association of the portable loops, so both give the same bits.
/// `plane` is the distance between two transformed positions; counts must be multiples of 8.

/// `V = B^T d B` of one input tile whose sixteen cells (row-major) are `cells`, into
/// `target[xi * plane + ch]`.
void ck_wino_input_tile(const float *const *cells, int channels, float *target, ptrdiff_t plane);

/// `Y = A^T M A` of one tile from `source[xi * plane + f]`, plus `bias`, ReLU if `relu`, then
/// the tile's maximum and the row-major position of its first maximum.
void ck_wino_pool_output_tile(const float *source, ptrdiff_t plane, const float *bias, int relu, int filters,
                              float *pooled, float *argmax);

/// `dM = A dY A^T` of one tile whose output gradient is `gradient` at the position `argmax`
/// (where `pooled`, unless NULL, is positive) and zero elsewhere, into `target[xi * plane + f]`;
/// adds the tile's gradient to `bias_sums`.
void ck_wino_unpool_gradient_tile(const float *gradient, const float *pooled, const float *argmax, int filters,
                                  float *target, ptrdiff_t plane, float *bias_sums);

/// `dd = B dV B^T` of one tile from `source[xi * plane + ch]`, added onto its sixteen cells.
void ck_wino_scatter_tile(const float *source, ptrdiff_t plane, int channels, float *const *cells);

/// `output[x] = sum over t < taps of weights[t] * sources[t][x]` for x < count, the taps added
/// in order from zero with one fused multiply-add each (Convolution's direct rows, row passes
/// and column passes), on `lanes` lanes: 8 (AVX2 + FMA) or 16 (AVX-512), the same bits either
/// way. Off x86-64 it does nothing: callers check ck_has_avx2_fma() first.
void ck_weighted_sum(const float *const *sources, const float *weights, int taps, ptrdiff_t count, float *output,
                     int lanes);

/// ck_weighted_sum (the same bits), returning 1 if none of `check[0 ..< check_count]` is inf or
/// NaN and 0 otherwise: the direct path sums a row without its zero-weight taps and learns in
/// the same pass whether the newest input row allowed that. With `count` 0 it only checks.
/// Off x86-64 it returns 0 (the fused loops are never chosen there).
int ck_weighted_sum_checked(const float *const *sources, const float *weights, int taps, ptrdiff_t count,
                            float *output, const float *check, ptrdiff_t check_count, int lanes);

/// The taps of a kernel a correlation row sums: tap `t` weighs `weights[t]` and reads kernel row
/// `lines[t]`, `offsets[t]` extended columns right of the output column; the kernel spans
/// `span` extended columns.
typedef struct {
    const float *weights;
    const ptrdiff_t *lines, *offsets;
    int taps, span;
} ck_tap_layout;

/// How a row of the extended image relates to the input row under it: extended column `e` is
/// input column `source_column[e]`, or `fill` where that is -1; the input's `input_columns`
/// columns start at extended column `left`.
typedef struct {
    const ptrdiff_t *source_column;
    ptrdiff_t left, input_columns;
    float fill;
} ck_row_edges;

/// One row of a valid correlation, outputs `0 ..< count`, summed as ck_weighted_sum sums (the
/// same bits): the interior, whose windows fall inside the input, reads the input rows `lines`
/// in place; the few columns by the edges are summed one at a time through the boundary rule.
/// With `check` (a row of `edges->input_columns` values) it returns 1 if that row is all finite,
/// tested in the interior's pass, else 0; without, 1. Same needs as ck_weighted_sum.
int ck_correlate_row(const float *const *lines, const ck_tap_layout *layout, const ck_row_edges *edges,
                     ptrdiff_t count, float *output, const float *check, int lanes);

/// The largest rank-1 kernel ck_separable_sum takes: rows, and columns (a window shifted by at
/// most one register).
#define CK_SEPARABLE_MAX_ROWS 32
#define CK_SEPARABLE_MAX_COLUMNS 17

/// One output row of a rank-1 kernel, `column[r] * row[c]`, both passes in AVX-512 registers
/// (separable.c): `output[x] = sum over c < columns of row[c] * v[x + c]`, for x < count, where
/// `v[i] = sum over r < rows of column[r] * lines[r][i]`; each sum starts with a multiply and
/// adds the rest in order with one fused multiply-add each. Reads `lines[r][0 ..< count +
/// columns - 1]`. Needs rows <= CK_SEPARABLE_MAX_ROWS, columns <= CK_SEPARABLE_MAX_COLUMNS and
/// ck_has_avx512_skylake(); off x86-64 it does nothing. With `stream` nonzero, the whole
/// 64-byte lines of `output` are written with streaming stores, which skip reading the lines
/// into the cache first and leave them out of it.
void ck_separable_sum(const float *const *lines, const float *column, int rows, const float *row, int columns,
                      ptrdiff_t count, float *output, int stream);

/// One whole output row of a rank-1 kernel at column stride 1 (separable.c): output `x`, for x
/// < count, reads extended columns `x ..< x + columns` of each row `lines[r]` through `edges`.
/// The interior, columns whose window lies inside the input, runs ck_separable_sum on the rows
/// in place, streaming as it says; by the edges, each extended column's sum is taken once
/// through the boundary rule and each output's row sum over them after, in the same order, so
/// every output has the bits ck_separable_sum would give. Same needs as ck_separable_sum.
void ck_separable_row(const float *const *lines, const float *column, int rows, const float *row, int columns,
                      const ck_row_edges *edges, ptrdiff_t count, float *output, int stream);

/// `output[x] = samples[x * stride]` as a float, for x < count (rows.c): one row of one channel
/// of an 8-bit image, interleaved `stride` samples apart, widened for Convolution's rows.
void ck_widen_u8(const unsigned char *samples, ptrdiff_t stride, ptrdiff_t count, float *output);

/// One window cell's step of a max pooling (pooling.c): for each of `channels` channels, where
/// `cell` is greater than `best`, `best` takes its value and `index` takes `position`; a tie
/// keeps the earlier position and NaN never wins. The three rows must not overlap.
void ck_pool_keep_greater(const float *cell, float *best, float *index, float position, int channels);

/// `spectrum[i] *= conj(kernel[i])` for i < count complex values stored as (re, im) float pairs
/// (spectra.c): Convolution's FFT correlation product, AVX2 when the processor has it.
void ck_multiply_conjugate(float *spectrum, const float *kernel, ptrdiff_t count);

/// Has glibc's allocator serve blocks of every size from the heap rather than from their own
/// mappings (it still maps memory when the heap cannot grow) and never give the heap's free
/// top back to the system; does nothing with other C libraries.
void ck_keep_freed_buffers(void);

/// Stops the worker threads a pthreads build of OpenBLAS starts as it loads, if OpenBLAS is in
/// the process (found by name, so nothing links against its internals); returns 1 if it did.
/// OpenBLAS starts them again when a product is asked to run on more than one thread.
int ck_stop_blas_threads(void);

#endif
