/* cpng: the only code in convkit that calls libpng.
 *
 * libpng reports errors with longjmp, which Swift cannot survive, so every setjmp lives in
 * cpng.c and each function here returns a status code plus a message instead. */
#ifndef CPNG_H
#define CPNG_H

#include <stddef.h>
#include <stdint.h>

/* Status codes, one per kind of failure the Swift side names in words. Each is set where the
 * failure is found (our own checks of the chunks, the allocator, the step that was running),
 * never by reading libpng's messages; the message only adds detail. */
enum cpng_status {
    CPNG_OK = 0,
    CPNG_NOT_PNG = 1,       /* the 8-byte signature is missing */
    CPNG_TRUNCATED = 2,     /* the data ended before the image did */
    CPNG_CRC = 3,           /* a critical chunk's CRC does not match its data */
    CPNG_BAD_HEADER = 4,    /* IHDR is missing or invalid (zero size, bad depth/colour combination, ...) */
    CPNG_TOO_LARGE = 5,     /* width*height exceeds the caller's pixel limit, or an image's bytes
                               exceed what this machine can address (encoding) */
    CPNG_UNSUPPORTED = 6,   /* a critical chunk libpng does not know */
    CPNG_CORRUPT = 7,       /* anything else libpng rejects: bad zlib data, bad chunk order, ... */
    CPNG_NO_MEMORY = 8,     /* an allocation failed (ours, libpng's or zlib's) */
    CPNG_INVALID_ARGUMENT = 9, /* the caller's request is inconsistent */
    CPNG_ENCODE_FAILED = 10, /* libpng or zlib failed while encoding, memory aside */
    CPNG_IO = 11            /* the file could not be opened, read or written (message: strerror) */
};

/* What a PNG says about itself (from IHDR/tRNS) and what decoding will produce. */
typedef struct {
    uint32_t width;
    uint32_t height;
    int source_bit_depth;   /* 1, 2, 4, 8 or 16 as stored in the file */
    int source_color_type;  /* PNG colour type: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA */
    int interlaced;         /* 1 for Adam7 */
    int has_trns;           /* a tRNS chunk is present (becomes an alpha channel) */
    int palette_size;       /* entries in PLTE, 0 when absent */
    int channels;           /* channels after expansion: 1..4 */
    int bit_depth;          /* 8 or 16 after expansion */
} cpng_info;

/* An open decoder over a byte buffer that the caller keeps alive until cpng_decoder_free. */
typedef struct cpng_decoder cpng_decoder;

/* Reads the header of `data` and prepares decoding. Fails with CPNG_TOO_LARGE before any
 * pixel allocation when width*height > max_pixels. On success *out holds the decoder. */
int cpng_decoder_open(const uint8_t *data, size_t length, uint64_t max_pixels,
                      cpng_decoder **out, cpng_info *info, char *message, size_t message_size);

/* Decodes every pixel into `pixels`: rows top to bottom, samples interleaved, no row padding,
 * 16-bit samples in host byte order. `capacity` must be at least width*height*channels*bytes. */
int cpng_decoder_read(cpng_decoder *decoder, void *pixels, size_t capacity,
                      char *message, size_t message_size);

void cpng_decoder_free(cpng_decoder *decoder);

/* What to write. Samples are interleaved, host byte order for 16-bit. For colour type 3
 * (palette) `pixels` holds one index byte per pixel and `palette` holds palette_size RGBA
 * entries (alpha becomes tRNS when any entry is not opaque). For bit depths below 8 (grey and
 * palette only) `pixels` holds one unpacked value per byte, already within 0..2^depth-1. */
typedef struct {
    uint32_t width;
    uint32_t height;
    int color_type;
    int bit_depth;
    int compression_level;  /* 0..9 */
    int interlaced;
    const void *pixels;
    const uint8_t *palette; /* palette_size * 4 bytes, RGBA */
    int palette_size;
    int threads;            /* >1: filter and deflate row bands in parallel (8/16-bit, not interlaced) */
    int libpng_only;        /* 1: libpng filters and deflates (zlib) by itself, the reference */
    const uint8_t *chunks;  /* ancillary chunks to write before PLTE and IDAT, or NULL: each a */
    size_t chunks_length;   /* 4-byte big-endian data length, 4-byte type, then the data */
} cpng_write_request;

/* Encodes a PNG into a buffer allocated with malloc; the caller frees *out_data.
 * Unless libpng_only is set, non-interlaced 8/16-bit images take the band path of
 * cpng_parallel.c: libpng still writes every chunk, but the IDAT data is filtered and deflated
 * by libdeflate in row bands, one per thread (as pigz does for gzip; one band under 1 MiB of
 * rows, where threads cost more than they save). Otherwise (palettes, sub-8-bit, Adam7), and
 * as the reference the band path is tested against, libpng filters and compresses by itself. */
int cpng_encode(const cpng_write_request *request, uint8_t **out_data, size_t *out_length,
                char *message, size_t message_size);

/* Writes the serialized `chunks` (as in cpng_write_request) with png_write_chunk, which adds
 * each CRC; called between png_write_info_before_PLTE and png_write_info, so colour chunks come
 * before PLTE as PNG requires. Stops at a length that runs past the end. */
struct png_struct_def;
void cpng_write_chunks(struct png_struct_def *png, const uint8_t *chunks, size_t length);

/* The CPUs this process may run on (its affinity: taskset, cgroup cpusets), at least 1. */
int cpng_usable_cpus(void);

/* Test hook: the calling thread's next cpng_decoder_open (with its cpng_decoder_read) or
 * cpng_encode lets `count` allocations succeed and fails every later one, as if memory ran out
 * there; a negative count disarms it. Only the next call on this thread is affected. */
void cpng_test_fail_allocations_after(long count);

/* One row filtered as the band encoder filters it (cpng_parallel.c): with the filter libpng's
 * adaptive rule picks (per row, the smallest sum of absolute signed bytes, the first of equal
 * sums), the type byte then the n filtered bytes written to `out`. `previous` is zeros above
 * the first row; `bpp` the bytes per pixel. */
void cpng_filter_row(const uint8_t *row, const uint8_t *previous, size_t n, size_t bpp, uint8_t *out);

/* The reference cpng_filter_row is tested against: the rule written out plainly, all five
 * filters' bytes then their sums. CPNG_OK, or CPNG_NO_MEMORY. */
int cpng_filter_row_reference(const uint8_t *row, const uint8_t *previous, size_t n, size_t bpp,
                              uint8_t *out);

/* Test hook: the calling thread's next cpng_encode hands zlib at most `bytes` at a time
 * (normally UINT_MAX, zlib's limit) when it walks a deflated band's blocks, so the splitting of
 * larger bands can be tested on small images; 0 restores the normal limit. */
void cpng_test_limit_zlib_pieces(size_t bytes);

#endif
