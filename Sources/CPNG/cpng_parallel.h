/* cpng_parallel.h: parallel filtering and deflating of PNG image data (see cpng_parallel.c),
 * and the per-call state (allocation accounting, zlib piece size) it shares with cpng.c. */
#ifndef CPNG_PARALLEL_H
#define CPNG_PARALLEL_H

#include <png.h>
#include <stdatomic.h>
#include <zlib.h>
#include "cpng.h"

/* One decode or encode: every allocation it makes, libpng's and zlib's included, goes through
 * cpng_call_alloc, which records a failure in `out_of_memory` where it happens. */
struct cpng_call {
    int limited;                 /* a test armed cpng_test_fail_allocations_after */
    atomic_long allowed;         /* allocations that may still succeed when limited */
    atomic_int out_of_memory;    /* an allocation failed */
    size_t zlib_piece;           /* the most bytes handed to zlib at once (its uInt) */
};

/* Starts the accounting of a call, taking what the test hooks armed on this thread. */
void cpng_call_start(struct cpng_call *call);
void *cpng_call_alloc(struct cpng_call *call, size_t size);
void *cpng_call_realloc(struct cpng_call *call, void *pointer, size_t size);

/* zlib's allocation functions over a struct cpng_call (its `opaque`). */
voidpf cpng_call_zalloc(voidpf call, uInt items, uInt size);
void cpng_call_zfree(voidpf call, voidpf pointer);

/* Copies `text` into the caller's message buffer and returns `status`. */
int cpng_fail(int status, char *message, size_t message_size, const char *text);

/* Whether the request is simple enough for the band path (8 or 16 bits, no palette, not
 * interlaced, not libpng_only). */
int cpng_parallel_applies(const cpng_write_request *request);

/* PNG rows' bytes: `n` bytes of `row` (host-order samples of `bit_depth`) in PNG byte order. */
void cpng_png_order(const void *row, size_t n, int bit_depth, uint8_t *out);

/* A zlib stream gathered into IDAT chunks of 256 KiB written with png_write_chunk (which
 * longjmps when writing fails: the caller's setjmp frees `chunk`). */
struct cpng_idat {
    uint8_t *chunk;
    size_t filled;
};
int cpng_idat_start(struct cpng_idat *idat, struct cpng_call *call);
void cpng_idat_append(png_structp png, struct cpng_idat *idat, const uint8_t *bytes, size_t length);
void cpng_idat_flush(png_structp png, struct cpng_idat *idat);

/* What the parallel path holds while it writes: cpng_parallel_release frees it, after a
 * longjmp out of png_write_chunk as after success. */
struct cpng_band;
typedef struct {
    uint8_t *filtered;
    struct cpng_band *bands;
    int band_count;
    struct cpng_idat idat;
} cpng_parallel_buffers;

void cpng_parallel_release(cpng_parallel_buffers *buffers);

/* Writes the image data as IDAT chunks through png_write_chunk, keeping every allocation in
 * `buffers`. Returns CPNG_OK, or CPNG_NO_MEMORY / CPNG_TOO_LARGE / CPNG_ENCODE_FAILED with a
 * message; png_write_chunk may also longjmp, so it must run under the caller's setjmp, and the
 * caller releases `buffers` either way. */
int cpng_parallel_write_image_data(png_structp png, const cpng_write_request *request,
                                   struct cpng_call *call, cpng_parallel_buffers *buffers,
                                   char *message, size_t message_size);

#endif
