/* cpng.c: PNG decoding and encoding over libpng, with every setjmp kept on this side.
 *
 * Each entry point installs its own setjmp, turns libpng's longjmp into a status code and a
 * message, and frees what it allocated, so the Swift side only ever sees plain return values.
 * The status is never read from libpng's English messages: the chunk structure, CRCs and IHDR
 * are checked here before libpng sees them, the allocator records a failed allocation, and
 * before each libpng call the caller records which status an error there means. */
#include "cpng.h"
#include "cpng_internal.h"
#include "cpng_parallel.h"

#include <libdeflate.h>
#include <limits.h>
#include <png.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum { MESSAGE_SIZE = 256 };

/* ---- Per-call allocation accounting and the test hooks that arm it ---- */

static _Thread_local long armed_allocations = -1;
static _Thread_local size_t armed_zlib_piece = 0;

void cpng_test_fail_allocations_after(long count) { armed_allocations = count; }

void cpng_test_limit_zlib_pieces(size_t bytes) { armed_zlib_piece = bytes; }

void cpng_call_start(struct cpng_call *call) {
    call->limited = armed_allocations >= 0;
    atomic_init(&call->allowed, armed_allocations);
    atomic_init(&call->out_of_memory, 0);
    call->zlib_piece = armed_zlib_piece > 0 && armed_zlib_piece < UINT_MAX ? armed_zlib_piece : UINT_MAX;
    armed_allocations = -1;
    armed_zlib_piece = 0;
}

static int allocation_allowed(struct cpng_call *call) {
    if (call->limited && atomic_fetch_sub(&call->allowed, 1) <= 0) {
        atomic_store(&call->out_of_memory, 1);
        return 0;
    }
    return 1;
}

void *cpng_call_alloc(struct cpng_call *call, size_t size) {
    void *pointer = allocation_allowed(call) ? malloc(size ? size : 1) : NULL;
    if (pointer == NULL) atomic_store(&call->out_of_memory, 1);
    return pointer;
}

void *cpng_call_realloc(struct cpng_call *call, void *pointer, size_t size) {
    void *grown = allocation_allowed(call) ? realloc(pointer, size ? size : 1) : NULL;
    if (grown == NULL) atomic_store(&call->out_of_memory, 1);
    return grown;
}

voidpf cpng_call_zalloc(voidpf call, uInt items, uInt size) {
    size_t bytes;
    if (__builtin_mul_overflow((size_t)items, (size_t)size, &bytes)) return Z_NULL;
    return cpng_call_alloc(call, bytes);
}

void cpng_call_zfree(voidpf call, voidpf pointer) {
    (void)call;
    free(pointer);
}

/* libpng's allocator (its allocations, and zlib's inside it, come here). */
static png_voidp png_call_alloc(png_structp png, png_alloc_size_t size) {
    return cpng_call_alloc(png_get_mem_ptr(png), size);
}

static void png_call_free(png_structp png, png_voidp pointer) {
    (void)png;
    free(pointer);
}

/* Allocates a call's own state, counted like every later allocation; `call` is copied in. */
static void *alloc_call_state(size_t size, size_t call_offset) {
    struct cpng_call call;
    cpng_call_start(&call);
    uint8_t *state = cpng_call_alloc(&call, size);
    if (state == NULL) return NULL;
    memset(state, 0, size);
    struct cpng_call *copy = (struct cpng_call *)(state + call_offset);
    copy->limited = call.limited;
    atomic_init(&copy->allowed, atomic_load(&call.allowed));
    atomic_init(&copy->out_of_memory, 0);
    copy->zlib_piece = call.zlib_piece;
    return state;
}

void cpng_copy_message(char *destination, size_t size, const char *text) {
    if (destination == NULL || size == 0) return;
    snprintf(destination, size, "%s", text ? text : "");
}

int cpng_fail(int status, char *message, size_t message_size, const char *text) {
    cpng_copy_message(message, message_size, text);
    return status;
}

/* libpng's error callback; the error pointer is the call's MESSAGE_SIZE-byte message buffer. */
static void on_error(png_structp png, png_const_charp text) {
    cpng_copy_message(png_get_error_ptr(png), MESSAGE_SIZE, text);
    png_longjmp(png, 1);
}

void cpng_on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text; /* ancillary-chunk problems are not worth failing a decode for */
}

/* ---- Decoding ---- */

struct cpng_decoder {
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t length;
    size_t offset;
    size_t checked;     /* the chunks before this offset have been checked */
    int ran_out_of_data;
    int failure;        /* the status a libpng error means in the step now running */
    struct cpng_call call;
    png_bytep *rows;
    int channels;   /* channels and depth promised by cpng_decoder_open */
    int bit_depth;
    char message[MESSAGE_SIZE];
};

static void read_from_buffer(png_structp png, png_bytep out, size_t count) {
    struct cpng_decoder *decoder = png_get_io_ptr(png);
    if (count > decoder->length - decoder->offset) {
        decoder->ran_out_of_data = 1;
        png_error(png, "unexpected end of data");
    }
    memcpy(out, decoder->data + decoder->offset, count);
    decoder->offset += count;
}

/* The status of the libpng error that just longjmped. */
static int decoder_failure(const struct cpng_decoder *decoder) {
    if (atomic_load(&decoder->call.out_of_memory)) return CPNG_NO_MEMORY;
    if (decoder->ran_out_of_data) return CPNG_TRUNCATED;
    return decoder->failure;
}

uint32_t cpng_big_endian(const uint8_t *bytes) {
    return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 | bytes[3];
}

int cpng_is_letter(uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* Checks IHDR's 13 bytes as the PNG specification (section 11.2.2) allows them. */
int cpng_check_header(const uint8_t *ihdr, char *message, size_t size) {
    uint32_t width = cpng_big_endian(ihdr), height = cpng_big_endian(ihdr + 4);
    int depth = ihdr[8], color_type = ihdr[9], ok;
    if (width == 0 || width > PNG_UINT_31_MAX || height == 0 || height > PNG_UINT_31_MAX) {
        snprintf(message, size, "image size %ux%u is outside 1..2147483647", (unsigned)width, (unsigned)height);
        return CPNG_BAD_HEADER;
    }
    switch (color_type) {
    case 0: ok = depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16; break;
    case 3: ok = depth == 1 || depth == 2 || depth == 4 || depth == 8; break;
    case 2: case 4: case 6: ok = depth == 8 || depth == 16; break;
    default:
        snprintf(message, size, "colour type %d is not 0, 2, 3, 4 or 6", color_type);
        return CPNG_BAD_HEADER;
    }
    if (!ok) {
        snprintf(message, size, "bit depth %d is not allowed with colour type %d", depth, color_type);
        return CPNG_BAD_HEADER;
    }
    if (ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] > 1) {
        snprintf(message, size, "compression, filter or interlace method %d/%d/%d is not defined",
                 ihdr[10], ihdr[11], ihdr[12]);
        return CPNG_BAD_HEADER;
    }
    return CPNG_OK;
}

/* Checks the chunks from decoder->checked on, before libpng reads them: each lies within the
 * data and has a four-letter type; the first is a valid IHDR; a critical chunk has a matching
 * CRC and is one libpng knows. Stops at the first IDAT (`until_image_data`) or after IEND.
 * Ancillary chunks' CRCs are left to libpng, which drops a damaged one. */
static int check_chunks(struct cpng_decoder *decoder, int until_image_data, char *message, size_t size) {
    size_t at = decoder->checked;
    for (;;) {
        if (decoder->length - at < 8)
            return cpng_fail(CPNG_TRUNCATED, message, size, "the data ends inside a chunk header");
        const uint8_t *type = decoder->data + at + 4;
        uint32_t length = cpng_big_endian(decoder->data + at);
        if (!cpng_is_letter(type[0]) || !cpng_is_letter(type[1]) || !cpng_is_letter(type[2]) || !cpng_is_letter(type[3])) {
            snprintf(message, size, "a chunk type at byte %zu is not four letters", at + 4);
            return at == 8 ? CPNG_BAD_HEADER : CPNG_CORRUPT;
        }
        if (at == 8 && memcmp(type, "IHDR", 4) != 0) {
            snprintf(message, size, "the first chunk is %.4s, not IHDR", (const char *)type);
            return CPNG_BAD_HEADER;
        }
        if (memcmp(type, "IHDR", 4) == 0 && length != 13) {
            snprintf(message, size, "IHDR has %u bytes, not 13", (unsigned)length);
            return CPNG_BAD_HEADER;
        }
        if (until_image_data && memcmp(type, "IDAT", 4) == 0) break;
        if (length > PNG_UINT_31_MAX) {
            snprintf(message, size, "%.4s claims %u bytes, more than 2^31-1", (const char *)type, (unsigned)length);
            return CPNG_CORRUPT;
        }
        if (length > decoder->length - at - 8 || decoder->length - at - 8 - length < 4) {
            snprintf(message, size, "the data ends inside %.4s", (const char *)type);
            return CPNG_TRUNCATED;
        }
        const uint8_t *data = type + 4;
        if (!(type[0] & 0x20)) {
            uint32_t crc = libdeflate_crc32(libdeflate_crc32(0, type, 4), data, length);
            if (crc != cpng_big_endian(data + length)) {
                snprintf(message, size, "%.4s chunk at byte %zu", (const char *)type, at);
                return CPNG_CRC;
            }
            if (memcmp(type, "IHDR", 4) == 0) {
                int status = cpng_check_header(data, message, size);
                if (status != CPNG_OK) return status;
            } else if (memcmp(type, "PLTE", 4) != 0 && memcmp(type, "IDAT", 4) != 0 &&
                       memcmp(type, "IEND", 4) != 0) {
                snprintf(message, size, "unknown critical chunk %.4s", (const char *)type);
                return CPNG_UNSUPPORTED;
            }
        }
        at += 12 + (size_t)length;
        if (memcmp(type, "IEND", 4) == 0) break;
    }
    decoder->checked = at;
    return CPNG_OK;
}

void cpng_decoder_free(cpng_decoder *decoder) {
    if (decoder == NULL) return;
    free(decoder->rows);
    png_destroy_read_struct(&decoder->png, &decoder->info, NULL);
    free(decoder);
}

int cpng_decoder_open(const uint8_t *data, size_t length, uint64_t max_pixels,
                      cpng_decoder **out, cpng_info *info, char *message, size_t message_size) {
    *out = NULL;
    memset(info, 0, sizeof *info);
    if (length < 8) {
        static const uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
        if (length > 0 && memcmp(data, signature, length) == 0)
            return cpng_fail(CPNG_TRUNCATED, message, message_size, "the file ends inside the PNG signature");
        return cpng_fail(CPNG_NOT_PNG, message, message_size, "not a PNG file (no PNG signature)");
    }
    if (png_sig_cmp(data, 0, 8) != 0)
        return cpng_fail(CPNG_NOT_PNG, message, message_size, "not a PNG file (no PNG signature)");

    struct cpng_decoder *decoder = alloc_call_state(sizeof *decoder, offsetof(struct cpng_decoder, call));
    if (decoder == NULL)
        return cpng_fail(CPNG_NO_MEMORY, message, message_size, "out of memory");
    decoder->data = data;
    decoder->length = length;
    decoder->checked = 8;
    int checked = check_chunks(decoder, 1, message, message_size);
    if (checked != CPNG_OK) {
        free(decoder);
        return checked;
    }
    decoder->png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, decoder->message, on_error, cpng_on_warning,
                                            &decoder->call, png_call_alloc, png_call_free);
    if (decoder->png) decoder->info = png_create_info_struct(decoder->png);
    if (decoder->png == NULL || decoder->info == NULL) {
        cpng_decoder_free(decoder);
        return cpng_fail(CPNG_NO_MEMORY, message, message_size, "out of memory");
    }

    if (setjmp(png_jmpbuf(decoder->png))) {
        int status = decoder_failure(decoder);
        cpng_copy_message(message, message_size, decoder->message);
        cpng_decoder_free(decoder);
        return status;
    }

    decoder->failure = CPNG_CORRUPT;
    png_set_read_fn(decoder->png, decoder, read_from_buffer);
    /* check_chunks has checked every critical chunk's CRC; ancillary ones keep libpng's check. */
    png_set_crc_action(decoder->png, PNG_CRC_QUIET_USE, PNG_CRC_DEFAULT);
    int header = cpng_read_header(decoder->png, decoder->info, info, message, message_size);
    if (header != CPNG_OK) {
        cpng_decoder_free(decoder);
        return header;
    }
    png_uint_32 width = info->width, height = info->height;

    if ((uint64_t)width * (uint64_t)height > max_pixels) {
        snprintf(message, message_size, "%ux%u is %llu pixels, more than the limit of %llu",
                 (unsigned)width, (unsigned)height,
                 (unsigned long long)width * height, (unsigned long long)max_pixels);
        cpng_decoder_free(decoder);
        return CPNG_TOO_LARGE;
    }

    decoder->channels = info->channels;
    decoder->bit_depth = info->bit_depth;
    *out = decoder;
    return CPNG_OK;
}

int cpng_read_header(png_structp png, png_infop png_info, cpng_info *info, char *message,
                     size_t message_size) {
    /* Text, colour profiles and the other metadata that allocate a buffer of their declared
     * length are never used: skipped, a chunk claiming gigabytes in a small file costs nothing. */
    static const png_byte unused_chunks[] = "tEXt\0zTXt\0iTXt\0iCCP\0sPLT\0pCAL\0sCAL\0eXIf";
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, unused_chunks, sizeof unused_chunks / 5);
    /* The caller's own pixel limit replaces libpng's default 1,000,000-pixel-per-side limit. */
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_read_info(png, png_info);

    png_uint_32 width = 0, height = 0;
    int depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(png, png_info, &width, &height, &depth, &color_type, &interlace, NULL, NULL);
    info->width = width;
    info->height = height;
    info->source_bit_depth = depth;
    info->source_color_type = color_type;
    info->interlaced = interlace == PNG_INTERLACE_ADAM7;
    info->has_trns = png_get_valid(png, png_info, PNG_INFO_tRNS) != 0;
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        png_colorp palette = NULL;
        int entries = 0;
        if (png_get_PLTE(png, png_info, &palette, &entries) == 0)
            return cpng_fail(CPNG_CORRUPT, message, message_size, "palette image without a PLTE chunk");
        info->palette_size = entries;
    }
    /* What cpng_set_up_expansion gives: palettes become RGB, tRNS an alpha channel, samples 8
     * or 16 bits. libpng allocates its row buffers only when they are set up, so a header
     * claiming a huge width costs nothing until the pixels are wanted. */
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY: info->channels = info->has_trns ? 2 : 1; break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: info->channels = 2; break;
    case PNG_COLOR_TYPE_RGB:
    case PNG_COLOR_TYPE_PALETTE: info->channels = info->has_trns ? 4 : 3; break;
    default: info->channels = 4; break;
    }
    info->bit_depth = depth == 16 ? 16 : 8;
    return CPNG_OK;
}

/* Expands everything to 8 or 16 bits per sample, with no gamma or colour conversion. */
void cpng_set_up_expansion(png_structp png, png_infop info) {
    int color_type = png_get_color_type(png, info);
    int depth = png_get_bit_depth(png, info);
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (depth == 16) png_set_swap(png);
#endif
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
}

int cpng_decoder_read(cpng_decoder *decoder, void *pixels, size_t capacity,
                      char *message, size_t message_size) {
    int checked = check_chunks(decoder, 0, message, message_size);
    if (checked != CPNG_OK) return checked;
    if (setjmp(png_jmpbuf(decoder->png))) {
        int status = decoder_failure(decoder);
        cpng_copy_message(message, message_size, decoder->message);
        return status;
    }
    decoder->failure = CPNG_UNSUPPORTED;  /* libpng refusing an expansion of this format */
    cpng_set_up_expansion(decoder->png, decoder->info);
    png_uint_32 width = png_get_image_width(decoder->png, decoder->info);
    png_uint_32 height = png_get_image_height(decoder->png, decoder->info);
    size_t row_bytes = png_get_rowbytes(decoder->png, decoder->info);
    size_t expected = (size_t)width * decoder->channels * (decoder->bit_depth / 8);
    if (png_get_channels(decoder->png, decoder->info) != decoder->channels ||
        png_get_bit_depth(decoder->png, decoder->info) != decoder->bit_depth ||
        row_bytes != expected || capacity / (height ? height : 1) < row_bytes)
        return cpng_fail(CPNG_INVALID_ARGUMENT, message, message_size, "pixel buffer does not match the image layout");
    free(decoder->rows);
    decoder->rows = cpng_call_alloc(&decoder->call, sizeof(png_bytep) * (height ? height : 1));
    if (decoder->rows == NULL)
        return cpng_fail(CPNG_NO_MEMORY, message, message_size, "out of memory");
    for (png_uint_32 y = 0; y < height; y++) decoder->rows[y] = (png_bytep)pixels + (size_t)y * row_bytes;
    decoder->failure = CPNG_CORRUPT;
    png_read_image(decoder->png, decoder->rows);
    png_read_end(decoder->png, NULL);
    return CPNG_OK;
}

/* ---- Encoding ---- */

/* One encode: its allocations, the growing output and the state the error handler frees. */
struct encoder {
    struct cpng_call call;
    int failure;        /* the status a libpng error means in the step now running */
    uint8_t *data;      /* the output, grown as libpng writes */
    size_t length;
    size_t capacity;
    png_bytep *rows;
    cpng_parallel_buffers parallel;
    char message[MESSAGE_SIZE];
};

static void encoder_free(struct encoder *encoder) {
    free(encoder->data);
    free(encoder->rows);
    cpng_parallel_release(&encoder->parallel);
    free(encoder);
}

static void write_to_buffer(png_structp png, png_bytep bytes, size_t count) {
    struct encoder *encoder = png_get_io_ptr(png);
    if (count > encoder->capacity - encoder->length) {
        size_t capacity = encoder->capacity ? encoder->capacity : 65536;
        while (count > capacity - encoder->length) {
            if (capacity > SIZE_MAX / 2) png_error(png, "the encoded image exceeds the address space");
            capacity *= 2;
        }
        uint8_t *grown = cpng_call_realloc(&encoder->call, encoder->data, capacity);
        if (grown == NULL) png_error(png, "out of memory for the encoded image");
        encoder->data = grown;
        encoder->capacity = capacity;
    }
    memcpy(encoder->data + encoder->length, bytes, count);
    encoder->length += count;
}

static void flush_nothing(png_structp png) { (void)png; }

/* Checks what libpng would reject, so that a libpng error while encoding is never the
 * caller's mistake. Sets *channels. */
static int check_request(const cpng_write_request *request, int *channels, char *message, size_t size) {
    int depth = request->bit_depth, ok;
    switch (request->color_type) {
    case PNG_COLOR_TYPE_GRAY: *channels = 1; ok = depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16; break;
    case PNG_COLOR_TYPE_PALETTE: *channels = 1; ok = depth == 1 || depth == 2 || depth == 4 || depth == 8; break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: *channels = 2; ok = depth == 8 || depth == 16; break;
    case PNG_COLOR_TYPE_RGB: *channels = 3; ok = depth == 8 || depth == 16; break;
    case PNG_COLOR_TYPE_RGB_ALPHA: *channels = 4; ok = depth == 8 || depth == 16; break;
    default:
        return cpng_fail(CPNG_INVALID_ARGUMENT, message, size, "unknown colour type");
    }
    if (!ok) {
        snprintf(message, size, "bit depth %d is not allowed with colour type %d", depth, request->color_type);
        return CPNG_INVALID_ARGUMENT;
    }
    if (request->width == 0 || request->width > PNG_UINT_31_MAX || request->height == 0 ||
        request->height > PNG_UINT_31_MAX) {
        snprintf(message, size, "image size %ux%u is outside 1..2147483647", (unsigned)request->width,
                 (unsigned)request->height);
        return CPNG_INVALID_ARGUMENT;
    }
    if (request->compression_level < 0 || request->compression_level > 9)
        return cpng_fail(CPNG_INVALID_ARGUMENT, message, size, "compression level must be 0..9");
    if (request->pixels == NULL)
        return cpng_fail(CPNG_INVALID_ARGUMENT, message, size, "no pixels");
    if (request->color_type == PNG_COLOR_TYPE_PALETTE &&
        (request->palette == NULL || request->palette_size < 1 || request->palette_size > (1 << depth))) {
        snprintf(message, size, "a %d-bit palette needs 1 to %d entries, not %d", depth, 1 << depth,
                 request->palette_size);
        return CPNG_INVALID_ARGUMENT;
    }
    return CPNG_OK;
}

static void set_palette(png_structp png, png_infop info, const cpng_write_request *request) {
    png_color colors[256];
    png_byte alphas[256];
    int last_translucent = -1;
    for (int i = 0; i < request->palette_size; i++) {
        colors[i].red = request->palette[4 * i];
        colors[i].green = request->palette[4 * i + 1];
        colors[i].blue = request->palette[4 * i + 2];
        alphas[i] = request->palette[4 * i + 3];
        if (alphas[i] != 255) last_translucent = i;
    }
    png_set_PLTE(png, info, colors, request->palette_size);
    if (last_translucent >= 0) png_set_tRNS(png, info, alphas, last_translucent + 1, NULL);
}

void cpng_write_chunks(png_structp png, const uint8_t *chunks, size_t length) {
    size_t at = 0;
    while (chunks != NULL && length - at >= 8) {
        const uint8_t *p = chunks + at;
        size_t size = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
        if (size > length - at - 8) return;
        png_write_chunk(png, p + 4, p + 8, size);
        at += 8 + size;
    }
}

int cpng_encode(const cpng_write_request *request, uint8_t **out_data, size_t *out_length,
                char *message, size_t message_size) {
    *out_data = NULL;
    *out_length = 0;
    int channels = 0;
    int checked = check_request(request, &channels, message, message_size);
    if (checked != CPNG_OK) return checked;
    /* Below 8 bits `pixels` holds one value per byte. */
    size_t bytes_per_sample = request->bit_depth == 16 ? 2 : 1, row_bytes, pixel_bytes;
    if (__builtin_mul_overflow((size_t)request->width * channels, bytes_per_sample, &row_bytes) ||
        __builtin_mul_overflow(row_bytes, (size_t)request->height, &pixel_bytes))
        return cpng_fail(CPNG_TOO_LARGE, message, message_size, "the image's bytes exceed the address space");

    struct encoder *encoder = alloc_call_state(sizeof *encoder, offsetof(struct encoder, call));
    if (encoder == NULL)
        return cpng_fail(CPNG_NO_MEMORY, message, message_size, "out of memory");
    png_structp png = png_create_write_struct_2(PNG_LIBPNG_VER_STRING, encoder->message, on_error, cpng_on_warning,
                                                &encoder->call, png_call_alloc, png_call_free);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    encoder->rows = cpng_call_alloc(&encoder->call, sizeof(png_bytep) * request->height);
    if (png == NULL || info == NULL || encoder->rows == NULL) {
        png_destroy_write_struct(&png, &info);
        encoder_free(encoder);
        return cpng_fail(CPNG_NO_MEMORY, message, message_size, "out of memory");
    }
    if (setjmp(png_jmpbuf(png))) {
        int status = atomic_load(&encoder->call.out_of_memory) ? CPNG_NO_MEMORY : encoder->failure;
        cpng_copy_message(message, message_size, encoder->message);
        png_destroy_write_struct(&png, &info);
        encoder_free(encoder);
        return status;
    }

    encoder->failure = CPNG_INVALID_ARGUMENT;  /* check_request should have caught it */
    png_set_write_fn(png, encoder, write_to_buffer, flush_nothing);
    png_set_compression_level(png, request->compression_level);
    png_set_IHDR(png, info, request->width, request->height, request->bit_depth, request->color_type,
                 request->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (request->color_type == PNG_COLOR_TYPE_PALETTE) set_palette(png, info, request);
    encoder->failure = CPNG_ENCODE_FAILED;
    png_write_info_before_PLTE(png, info);
    cpng_write_chunks(png, request->chunks, request->chunks_length);
    png_write_info(png, info);
    if (cpng_parallel_applies(request)) {
        int status = cpng_parallel_write_image_data(png, request, &encoder->call, &encoder->parallel,
                                                    message, message_size);
        if (status != CPNG_OK) {
            png_destroy_write_struct(&png, &info);
            encoder_free(encoder);
            return status;
        }
        png_write_chunk(png, (png_const_bytep) "IEND", NULL, 0);
    } else {
        if (request->bit_depth < 8) png_set_packing(png);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (request->bit_depth == 16) png_set_swap(png);
#endif
        for (uint32_t y = 0; y < request->height; y++)
            encoder->rows[y] = (png_bytep)request->pixels + (size_t)y * row_bytes;
        png_write_image(png, encoder->rows);
        png_write_end(png, NULL);
    }

    png_destroy_write_struct(&png, &info);
    *out_data = encoder->data;
    *out_length = encoder->length;
    encoder->data = NULL;
    encoder_free(encoder);
    return CPNG_OK;
}
