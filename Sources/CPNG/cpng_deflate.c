/* cpng_deflate.c: pieces of one zlib stream deflated independently by libdeflate.
 *
 * libdeflate deflates a whole buffer at a time, 2-4x faster than zlib at a similar size, but it
 * has no sync flush: its output always ends with a final block (BFINAL set) at a bit position it
 * does not report. A piece that another piece follows is therefore walked once with zlib's
 * inflate(Z_BLOCK), which stops at every block boundary and reports the bit position there;
 * the last block's BFINAL bit is cleared and an empty stored block (3 header bits, padding,
 * 00 00 FF FF) ends the piece on a byte boundary. Deflate's back-references cannot reach into
 * an earlier piece (libdeflate takes no dictionary), so pieces stay independent and can be
 * deflated on several threads at once. */
#include "cpng_deflate.h"
#include "cpng_parallel.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int cpng_deflate_level(int compression_level) {
    static const int levels[10] = {0, 1, 2, 3, 4, 5, 6, 8, 10, 12};
    return levels[compression_level < 0 ? 0 : compression_level > 9 ? 9 : compression_level];
}

struct libdeflate_compressor *cpng_deflate_compressor(struct cpng_call *call, int compression_level) {
    /* libdeflate allocates with its own (process-wide) allocator: the call counts it as one
     * allocation, so the out-of-memory tests reach this failure too. */
    void *token = cpng_call_alloc(call, 1);
    if (token == NULL) return NULL;
    free(token);
    struct libdeflate_compressor *compressor = libdeflate_alloc_compressor(cpng_deflate_level(compression_level));
    if (compressor == NULL) atomic_store(&call->out_of_memory, 1);
    return compressor;
}

/* Finds, in the complete raw deflate stream `data`, the bit positions where the last block's
 * header starts and where its end-of-block code ends. Returns 0, or -1 if zlib fails (memory,
 * or a stream it does not accept). */
static int find_last_block(struct cpng_call *call, const uint8_t *data, size_t length,
                           uint64_t *last_header, uint64_t *end) {
    z_stream z;
    memset(&z, 0, sizeof z);
    z.zalloc = cpng_call_zalloc;
    z.zfree = cpng_call_zfree;
    z.opaque = call;
    if (inflateInit2(&z, -15) != Z_OK) return -1;
    uint8_t scratch[32768];
    size_t consumed = 0;  /* bytes handed to zlib so far */
    uint64_t header = 0, last_end = 0;
    int status;
    for (;;) {
        if (z.avail_in == 0) {
            size_t left = length - consumed;
            size_t piece = left < call->zlib_piece ? left : call->zlib_piece;
            z.next_in = (uint8_t *)data + consumed;
            z.avail_in = (uInt)piece;
            consumed += piece;
        }
        z.next_out = scratch;
        z.avail_out = sizeof scratch;
        status = inflate(&z, Z_BLOCK);
        if (status != Z_OK) break;
        /* data_type: unused bits of the last byte read (0-7), +64 once the final block's header
         * is read, +128 at a block boundary. A boundary before the final block is where the
         * next header starts; the one after it is where the final block ends. */
        uint64_t at = (uint64_t)(consumed - z.avail_in) * 8 - (z.data_type & 7);
        if ((z.data_type & 192) == 128) header = at;
        if ((z.data_type & 192) == 192) last_end = at;
    }
    size_t used = consumed - z.avail_in;
    inflateEnd(&z);
    if (status != Z_STREAM_END || used != length || last_end <= header) return -1;
    *last_header = header;
    *end = last_end;
    return 0;
}

int cpng_deflate_piece(struct libdeflate_compressor *compressor, struct cpng_call *call,
                       const uint8_t *in, size_t length, int is_last, uint8_t **out,
                       size_t *out_length) {
    *out = NULL;
    *out_length = 0;
    size_t bound = libdeflate_deflate_compress_bound(compressor, length), capacity;
    if (__builtin_add_overflow(bound, 8, &capacity)) return CPNG_NO_MEMORY;
    uint8_t *buffer = *out = cpng_call_alloc(call, capacity);
    if (buffer == NULL) return CPNG_NO_MEMORY;
    size_t written = libdeflate_deflate_compress(compressor, in, length, buffer, bound);
    if (written == 0) return CPNG_ENCODE_FAILED;
    if (!is_last) {
        uint64_t header, end;
        if (find_last_block(call, buffer, written, &header, &end) != 0 ||
            end <= (uint64_t)(written - 1) * 8 || end > (uint64_t)written * 8)
            return atomic_load(&call->out_of_memory) ? CPNG_NO_MEMORY : CPNG_ENCODE_FAILED;
        buffer[header / 8] &= (uint8_t)~(1u << (header % 8));
        /* The stored block's three zero header bits follow the end-of-block code, in the last
         * byte's unused bits (cleared here) when they fit, else spilling into one more byte;
         * zero padding follows to the byte boundary. */
        size_t used_bits = (size_t)(end - (uint64_t)(written - 1) * 8);  /* 1..8 in the last byte */
        buffer[written - 1] &= (uint8_t)((1u << used_bits) - 1);
        if (used_bits > 5) buffer[written++] = 0;
        static const uint8_t empty_stored[4] = {0x00, 0x00, 0xFF, 0xFF};
        memcpy(buffer + written, empty_stored, 4);
        written += 4;
    }
    *out_length = written;
    return CPNG_OK;
}

void cpng_zlib_header(int compression_level, uint8_t header[2]) {
    /* Deflate with a 32 KiB window; FLEVEL from the level; FCHECK makes it a multiple of 31. */
    uint8_t level_bits = compression_level < 2 ? 0 : compression_level < 6 ? 1 : compression_level == 6 ? 2 : 3;
    header[0] = 0x78;
    header[1] = (uint8_t)(level_bits << 6);
    header[1] += (uint8_t)(31 - (header[0] * 256 + header[1]) % 31);
}

void cpng_zlib_trailer(uint32_t adler, uint8_t trailer[4]) {
    trailer[0] = (uint8_t)(adler >> 24);
    trailer[1] = (uint8_t)(adler >> 16);
    trailer[2] = (uint8_t)(adler >> 8);
    trailer[3] = (uint8_t)adler;
}
