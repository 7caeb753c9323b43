/* cpng_stream: PNG files read and written a row at a time, for images larger than memory.
 *
 * As in cpng.h, libpng's longjmp never leaves C: every function sets its own setjmp and returns
 * a cpng_status plus a message. Memory held is a few rows, whatever the image's height. */
#ifndef CPNG_STREAM_H
#define CPNG_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "cpng.h"

/* A PNG file being read top to bottom. */
typedef struct cpng_row_reader cpng_row_reader;

/* Opens the PNG file at `path`, reads the chunks before the image data into *info and, unless
 * the image is interlaced (info->interlaced, which cannot be read row by row: the caller frees
 * the reader and decodes the whole image instead), prepares reading rows expanded as
 * cpng_decoder_read expands them (8 or 16 bits, palettes to RGB, tRNS to alpha, host order). */
int cpng_row_reader_open(const char *path, cpng_row_reader **out, cpng_info *info,
                         char *message, size_t message_size);

/* Reads the next `count` rows into `rows` (count * width * channels samples, no padding).
 * After the last row the rest of the file is read and checked. */
int cpng_row_reader_read(cpng_row_reader *reader, void *rows, uint32_t count, char *message,
                         size_t message_size);

/* Closes the file and frees everything; safe on NULL and after any failure. */
void cpng_row_reader_free(cpng_row_reader *reader);

/* A PNG file being written top to bottom into an open file descriptor (which stays open). */
typedef struct cpng_row_writer cpng_row_writer;

/* Writes the header of a non-interlaced `width` x `height` PNG of colour type 0, 2, 4 or 6
 * (grey, RGB, grey+alpha, RGBA) and bit depth 8 or 16 to `descriptor`, with the ancillary
 * `chunks` serialized as in cpng_write_request (or NULL). */
int cpng_row_writer_open(int descriptor, uint32_t width, uint32_t height, int color_type,
                         int bit_depth, int compression_level, const uint8_t *chunks,
                         size_t chunks_length, cpng_row_writer **out, char *message,
                         size_t message_size);

/* Writes the next `count` rows (interleaved samples, host byte order for 16-bit). After the
 * last row the file is finished (IEND) and flushed to the descriptor. */
int cpng_row_writer_write(cpng_row_writer *writer, const void *rows, uint32_t count,
                          char *message, size_t message_size);

/* Frees everything; safe on NULL and after any failure. */
void cpng_row_writer_free(cpng_row_writer *writer);

/* Test hook: the calling thread's next cpng_row_writer_open deflates pieces of about `bytes`
 * of filtered rows (whole rows, at least one) instead of about 4 MiB, so an image spans many
 * pieces; 0 restores the normal size. */
void cpng_test_limit_stream_pieces(size_t bytes);

/* Test hook: the calling thread's next cpng_row_writer_open deflates pieces on `count` threads
 * (1 to 4) instead of one per usable CPU; 0 restores the normal count. */
void cpng_test_stream_deflate_threads(int count);

#endif
