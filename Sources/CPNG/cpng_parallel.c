/* cpng_parallel.c: PNG image data filtered and deflated in row bands on several threads.
 *
 * libpng filters and deflates on one thread with zlib, which makes writing a large PNG take as
 * long as zlib needs for all of it. Here each band of rows is filtered with libpng's adaptive
 * rule (per row, the filter with the smallest sum of absolute signed bytes) and deflated by
 * libdeflate as a piece that ends on a byte boundary (cpng_deflate.c); the pieces concatenate
 * into one zlib stream, as pigz's do for gzip. libpng still writes every chunk
 * (png_write_chunk), so the file is an ordinary PNG. One thread takes the same path with one
 * band. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  /* sched_getaffinity */
#endif
#include "cpng_parallel.h"
#include "cpng_deflate.h"

#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#include <zlib.h>

/* Under MIN_PARALLEL_BYTES of filtered rows an image is one band. */
enum { MIN_PARALLEL_BYTES = 1 << 20, IDAT_SIZE = 1 << 18, MAX_THREADS = 64 };

int cpng_idat_start(struct cpng_idat *idat, struct cpng_call *call) {
    idat->filled = 0;
    idat->chunk = cpng_call_alloc(call, IDAT_SIZE);
    return idat->chunk ? CPNG_OK : CPNG_NO_MEMORY;
}

void cpng_idat_append(png_structp png, struct cpng_idat *idat, const uint8_t *bytes, size_t length) {
    while (length > 0) {
        size_t take = length < IDAT_SIZE - idat->filled ? length : IDAT_SIZE - idat->filled;
        memcpy(idat->chunk + idat->filled, bytes, take);
        idat->filled += take;
        bytes += take;
        length -= take;
        if (idat->filled == IDAT_SIZE) cpng_idat_flush(png, idat);
    }
}

void cpng_idat_flush(png_structp png, struct cpng_idat *idat) {
    if (idat->filled == 0) return;
    size_t filled = idat->filled;
    idat->filled = 0;
    png_write_chunk(png, (png_const_bytep) "IDAT", idat->chunk, filled);
}

static int channel_count(int color_type) {
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: return 1;
    }
}

int cpng_usable_cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    int count = CPU_COUNT(&set);
    return count > 0 ? count : 1;
}

int cpng_parallel_applies(const cpng_write_request *request) {
    if (request->libpng_only || request->interlaced) return 0;
    if (request->bit_depth != 8 && request->bit_depth != 16) return 0;
    return request->color_type != PNG_COLOR_TYPE_PALETTE;
}

struct cpng_band {
    const cpng_write_request *request;
    struct cpng_call *call;
    size_t row_bytes;      /* unfiltered bytes per row */
    size_t bpp;            /* bytes per complete pixel, the filter distance */
    uint32_t first_row, end_row;
    uint8_t *filtered;     /* whole image, filter byte + row, shared; each band writes its rows */
    uint8_t *compressed;
    size_t compressed_length;
    uint32_t adler;        /* Adler-32 of the band's filtered rows */
    int is_last;
    int failed;            /* a cpng_status: CPNG_OK, or how the band failed */
};

/* The unfiltered row `y` in PNG byte order (big-endian for 16-bit samples). */
static void load_row(const struct cpng_band *b, uint32_t y, uint8_t *out) {
    const uint8_t *source = (const uint8_t *)b->request->pixels + (size_t)y * b->row_bytes;
    cpng_png_order(source, b->row_bytes, b->request->bit_depth, out);
}

void cpng_png_order(const void *row, size_t n, int bit_depth, uint8_t *out) {
    if (bit_depth == 16) {
        const uint16_t *samples = row;
        for (size_t i = 0; i < n / 2; i++) {
            out[2 * i] = (uint8_t)(samples[i] >> 8);
            out[2 * i + 1] = (uint8_t)samples[i];
        }
    } else {
        memcpy(out, row, n);
    }
}

/* The Paeth filter's byte for `x` with a = left, b = above, c = above-left: the predictor's
 * distances fit 16 bits, so the loops below run in 16-bit vector lanes. */
static inline uint8_t paeth_filtered(int x, int a, int b, int c) {
    int16_t pa = (int16_t)abs(b - c), pb = (int16_t)abs(a - c), pc = (int16_t)abs(a + b - 2 * c);
    int16_t predicted = (pa <= pb && pa <= pc) ? (int16_t)a : (pb <= pc ? (int16_t)b : (int16_t)c);
    return (uint8_t)(x - predicted);
}

/* A filtered byte's weight in libpng's heuristic: its magnitude as a signed byte. */
static inline uint32_t magnitude(uint8_t v) { return (uint32_t)abs((int8_t)v); }

/* The sum of magnitude(EXPR) for i in 0..<n, in 32-bit blocks (128 * 2^16 fits) that the
 * compiler vectorises, added up in 64 bits. */
enum { SUM_BLOCK = 1 << 16 };
#define CPNG_SUM_OF(EXPR)                                                                     \
    uint64_t total = 0;                                                                       \
    for (size_t start = 0; start < n; start += SUM_BLOCK) {                                   \
        size_t end = n - start < SUM_BLOCK ? n : start + SUM_BLOCK;                           \
        uint32_t sum = 0;                                                                     \
        for (size_t i = start; i < end; i++) sum += magnitude(EXPR);                          \
        total += sum;                                                                         \
    }                                                                                         \
    return total;

/* Each filter's sum over the bytes past the first pixel: r the row there, l the pixel to the
 * left, p the row above, pl above-left. */
static uint64_t sum_none(const uint8_t *r, size_t n) { CPNG_SUM_OF(r[i]) }
static uint64_t sum_sub(const uint8_t *r, const uint8_t *l, size_t n) { CPNG_SUM_OF((uint8_t)(r[i] - l[i])) }
static uint64_t sum_up(const uint8_t *r, const uint8_t *p, size_t n) { CPNG_SUM_OF((uint8_t)(r[i] - p[i])) }
static uint64_t sum_average(const uint8_t *r, const uint8_t *l, const uint8_t *p, size_t n) {
    CPNG_SUM_OF((uint8_t)(r[i] - ((l[i] + p[i]) >> 1)))
}
static uint64_t sum_paeth(const uint8_t *r, const uint8_t *l, const uint8_t *p, const uint8_t *pl, size_t n) {
    CPNG_SUM_OF(paeth_filtered(r[i], l[i], p[i], pl[i]))
}

/* Measures each of the five filters' sum of magnitudes without storing its bytes, then writes
 * only the winner's (the reference below stores all five, then sums them). Built for AVX2 as well as the baseline and picked when the CPU runs it:
 * the Paeth predictor's absolute values and minima have no SSE2 instructions, so at the
 * baseline this took three times as long (6% of a 1-core RGB filter run). */
__attribute__((target_clones("avx2", "default")))
void cpng_filter_row(const uint8_t *row, const uint8_t *previous, size_t n, size_t bpp, uint8_t *out) {
    size_t head = bpp < n ? bpp : n, rest = n - head;
    uint64_t sums[5] = {0, 0, 0, 0, 0};
    for (size_t i = 0; i < head; i++) {  /* no pixel to the left: a = c = 0 */
        sums[0] += magnitude(row[i]);
        sums[1] += magnitude(row[i]);
        sums[2] += magnitude((uint8_t)(row[i] - previous[i]));
        sums[3] += magnitude((uint8_t)(row[i] - (previous[i] >> 1)));
        sums[4] += magnitude((uint8_t)(row[i] - previous[i]));  /* Paeth of (0, b, 0) is b */
    }
    const uint8_t *r = row + head, *l = row, *p = previous + head, *pl = previous;
    sums[0] += sum_none(r, rest);
    sums[1] += sum_sub(r, l, rest);
    sums[2] += sum_up(r, p, rest);
    sums[3] += sum_average(r, l, p, rest);
    sums[4] += sum_paeth(r, l, p, pl, rest);
    int best = 0;  /* the first of equal sums, as libpng takes it */
    for (int type = 1; type < 5; type++)
        if (sums[type] < sums[best]) best = type;
    out[0] = (uint8_t)best;
    uint8_t *o = out + 1;
    switch (best) {
    case 0: memcpy(o, row, n); break;
    case 1:
        memcpy(o, row, head);
        for (size_t i = 0; i < rest; i++) o[head + i] = (uint8_t)(r[i] - l[i]);
        break;
    case 2:
        for (size_t i = 0; i < n; i++) o[i] = (uint8_t)(row[i] - previous[i]);
        break;
    case 3:
        for (size_t i = 0; i < head; i++) o[i] = (uint8_t)(row[i] - (previous[i] >> 1));
        for (size_t i = 0; i < rest; i++) o[head + i] = (uint8_t)(r[i] - ((l[i] + p[i]) >> 1));
        break;
    default:
        for (size_t i = 0; i < head; i++) o[i] = (uint8_t)(row[i] - previous[i]);
        for (size_t i = 0; i < rest; i++) o[head + i] = paeth_filtered(r[i], l[i], p[i], pl[i]);
        break;
    }
}

int cpng_filter_row_reference(const uint8_t *row, const uint8_t *previous, size_t n, size_t bpp,
                              uint8_t *out) {
    uint8_t *candidates = malloc(4 * (n ? n : 1));
    if (candidates == NULL) return CPNG_NO_MEMORY;
    uint8_t *sub = candidates, *up = candidates + n, *average = candidates + 2 * n, *paeth = candidates + 3 * n;
    for (size_t i = 0; i < n; i++) {
        int a = i >= bpp ? row[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
        sub[i] = (uint8_t)(row[i] - a);
        up[i] = (uint8_t)(row[i] - b);
        average[i] = (uint8_t)(row[i] - ((a + b) >> 1));
        int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c);
        paeth[i] = (uint8_t)(row[i] - ((pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c)));
    }
    const uint8_t *choices[5] = {row, sub, up, average, paeth};
    uint64_t best_sum = UINT64_MAX;
    int best = 0;
    for (int type = 0; type < 5; type++) {
        uint64_t sum = 0;
        for (size_t i = 0; i < n; i++) sum += (uint64_t)abs((int8_t)choices[type][i]);
        if (sum < best_sum) {
            best_sum = sum;
            best = type;
        }
    }
    out[0] = (uint8_t)best;
    memcpy(out + 1, choices[best], n);
    free(candidates);
    return CPNG_OK;
}

/* Filters the band's rows into the shared filtered buffer. */
static void filter_band(struct cpng_band *b) {
    size_t n = b->row_bytes, stride = n + 1;
    uint8_t *rows = cpng_call_alloc(b->call, 2 * n);
    if (rows == NULL) {
        b->failed = CPNG_NO_MEMORY;
        return;
    }
    uint8_t *current = rows, *previous = rows + n;
    if (b->first_row == 0) memset(previous, 0, n);
    else load_row(b, b->first_row - 1, previous);
    for (uint32_t y = b->first_row; y < b->end_row; y++) {
        load_row(b, y, current);
        cpng_filter_row(current, previous, n, b->bpp, b->filtered + (size_t)y * stride);
        uint8_t *swap = previous;
        previous = current;
        current = swap;
    }
    free(rows);
}

/* Deflates the band's filtered rows with libdeflate into its own buffer (see cpng_deflate.c),
 * and takes their Adler-32 checksum. */
static void deflate_band(struct cpng_band *b) {
    size_t stride = b->row_bytes + 1;
    const uint8_t *start = b->filtered + (size_t)b->first_row * stride;
    size_t length = (size_t)(b->end_row - b->first_row) * stride;
    b->adler = (uint32_t)libdeflate_adler32(1, start, length);
    struct libdeflate_compressor *compressor = cpng_deflate_compressor(b->call, b->request->compression_level);
    if (compressor == NULL) {
        b->failed = CPNG_NO_MEMORY;
        return;
    }
    b->failed = cpng_deflate_piece(compressor, b->call, start, length, b->is_last, &b->compressed,
                                   &b->compressed_length);
    libdeflate_free_compressor(compressor);
}

/* Filters, then deflates, one band (a thread's whole job). */
static void *encode_band(void *argument) {
    struct cpng_band *b = argument;
    filter_band(b);
    if (!b->failed) deflate_band(b);
    return NULL;
}

/* Runs `work` on every band, one thread per band (in the calling thread if one cannot start). */
static void run_all(struct cpng_band *bands, int count, void *(*work)(void *)) {
    pthread_t threads[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (int i = 1; i < count; i++) started[i] = pthread_create(&threads[i], NULL, work, &bands[i]) == 0;
    work(&bands[0]);
    for (int i = 1; i < count; i++) {
        if (started[i]) pthread_join(threads[i], NULL);
        else work(&bands[i]);
    }
}

void cpng_parallel_release(cpng_parallel_buffers *buffers) {
    free(buffers->filtered);
    if (buffers->bands)
        for (int i = 0; i < buffers->band_count; i++) free(buffers->bands[i].compressed);
    free(buffers->bands);
    free(buffers->idat.chunk);
    *buffers = (cpng_parallel_buffers){0};
}

int cpng_parallel_write_image_data(png_structp png, const cpng_write_request *request,
                                   struct cpng_call *call, cpng_parallel_buffers *buffers,
                                   char *message, size_t message_size) {
    int count = request->threads < MAX_THREADS ? request->threads : MAX_THREADS;
    if ((uint32_t)count > request->height) count = (int)request->height;
    size_t bytes = (size_t)request->bit_depth / 8;
    size_t bpp = channel_count(request->color_type) * bytes;
    size_t row_bytes, stride, total;
    if (__builtin_mul_overflow((size_t)request->width, bpp, &row_bytes) ||
        __builtin_add_overflow(row_bytes, 1, &stride) ||
        __builtin_mul_overflow(stride, (size_t)request->height, &total))
        return cpng_fail(CPNG_TOO_LARGE, message, message_size, "the filtered image data exceeds the address space");
    if (total < MIN_PARALLEL_BYTES) count = 1;  /* a thread costs more than it saves */
    buffers->filtered = cpng_call_alloc(call, total);
    buffers->bands = cpng_call_alloc(call, (size_t)count * sizeof *buffers->bands);
    if (buffers->filtered == NULL || buffers->bands == NULL)
        return cpng_fail(CPNG_NO_MEMORY, message, message_size, "out of memory for the filtered rows");
    struct cpng_band *bands = buffers->bands;
    buffers->band_count = count;
    for (int i = 0; i < count; i++) {
        bands[i] = (struct cpng_band){
            .request = request, .call = call, .row_bytes = row_bytes, .bpp = bpp,
            .first_row = (uint32_t)((uint64_t)request->height * i / count),
            .end_row = (uint32_t)((uint64_t)request->height * (i + 1) / count),
            .filtered = buffers->filtered, .is_last = i == count - 1,
        };
    }
    run_all(bands, count, encode_band);

    uLong adler = 1;
    for (int i = 0; i < count; i++) {
        if (bands[i].failed == CPNG_OK) continue;
        if (bands[i].failed == CPNG_NO_MEMORY || atomic_load(&call->out_of_memory))
            return cpng_fail(CPNG_NO_MEMORY, message, message_size, "out of memory while compressing");
        return cpng_fail(CPNG_ENCODE_FAILED, message, message_size, "deflating a band failed");
    }
    for (int i = 0; i < count; i++) {
        size_t length = (size_t)(bands[i].end_row - bands[i].first_row) * stride;
        adler = adler32_combine(adler, bands[i].adler, (z_off_t)length);  /* z_off_t: 64 bits here */
    }
    free(buffers->filtered);
    buffers->filtered = NULL;

    uint8_t header[2], trailer[4];
    cpng_zlib_header(request->compression_level, header);
    cpng_zlib_trailer((uint32_t)adler, trailer);

    /* png_write_chunk longjmps when writing fails: everything allocated is in `buffers`. */
    if (cpng_idat_start(&buffers->idat, call) != CPNG_OK)
        return cpng_fail(CPNG_NO_MEMORY, message, message_size, "out of memory for an IDAT chunk");
    cpng_idat_append(png, &buffers->idat, header, 2);
    for (int i = 0; i < count; i++) cpng_idat_append(png, &buffers->idat, bands[i].compressed, bands[i].compressed_length);
    cpng_idat_append(png, &buffers->idat, trailer, 4);
    cpng_idat_flush(png, &buffers->idat);
    cpng_parallel_release(buffers);
    return CPNG_OK;
}
