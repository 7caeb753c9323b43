/* cpng_internal.h: the pieces of cpng.c that the row-streaming reader and writer share. */
#ifndef CPNG_INTERNAL_H
#define CPNG_INTERNAL_H

#include <png.h>
#include "cpng.h"

/* Copies `text` into a caller's message buffer, always NUL-terminated. */
void cpng_copy_message(char *destination, size_t size, const char *text);

/* libpng's warning callback: ancillary-chunk problems are ignored. */
void cpng_on_warning(png_structp png, png_const_charp text);

/* Reads the chunks before the image data and fills `info`; may longjmp (call under setjmp).
 * Returns CPNG_OK or CPNG_CORRUPT (with `message`) for a palette image without PLTE. */
int cpng_read_header(png_structp png, png_infop png_info, cpng_info *info, char *message,
                     size_t message_size);

/* Sets up the expansion to 8 or 16 bits per sample, host byte order; may longjmp. */
void cpng_set_up_expansion(png_structp png, png_infop info);

/* A big-endian 32-bit number; whether a byte is an ASCII letter (chunk types). */
uint32_t cpng_big_endian(const uint8_t *bytes);
int cpng_is_letter(uint8_t c);

/* Checks IHDR's 13 bytes as the PNG specification allows them: CPNG_OK or CPNG_BAD_HEADER
 * with a message. */
int cpng_check_header(const uint8_t *ihdr, char *message, size_t size);

#endif
