/* cpng_deflate.h: one piece of a PNG's zlib stream, deflated by libdeflate (see cpng_deflate.c). */
#ifndef CPNG_DEFLATE_H
#define CPNG_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

struct cpng_call;
struct libdeflate_compressor;

/* The libdeflate level for convkit's compression level 0..9: the same number up to 6, then
 * 8, 10 and 12 for 7, 8 and 9 (libdeflate's slow, near-optimal parsers). */
int cpng_deflate_level(int compression_level);

/* A libdeflate compressor for `compression_level` (0..9), counted as one allocation of `call`;
 * NULL when out of memory. Free with libdeflate_free_compressor. */
struct libdeflate_compressor *cpng_deflate_compressor(struct cpng_call *call, int compression_level);

/* Deflates `length` bytes into a new buffer (*out, freed by the caller, also on failure) as raw
 * deflate blocks. Unless `is_last`, the final block's BFINAL bit is cleared and an empty stored
 * block follows, so the piece ends on a byte boundary and the next piece continues the same
 * stream (what zlib's Z_SYNC_FLUSH gives). Returns CPNG_OK, CPNG_NO_MEMORY or
 * CPNG_ENCODE_FAILED. */
int cpng_deflate_piece(struct libdeflate_compressor *compressor, struct cpng_call *call,
                       const uint8_t *in, size_t length, int is_last, uint8_t **out,
                       size_t *out_length);

/* The zlib header for a stream deflated at `compression_level`, and the trailer for its
 * Adler-32 checksum. */
void cpng_zlib_header(int compression_level, uint8_t header[2]);
void cpng_zlib_trailer(uint32_t adler, uint8_t trailer[4]);

#endif
