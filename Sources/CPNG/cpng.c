/* cpng.c: PNG decoding and encoding over libpng, with every setjmp kept on this side.
 *
 * Each entry point installs its own setjmp, turns libpng's longjmp into a status code and a
 * message, and frees what it allocated, so the Swift side only ever sees plain return values. */
#include "cpng.h"
#include "cpng_internal.h"
#include "cpng_parallel.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cpng_decoder {
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t length;
    size_t offset;
    int ran_out_of_data;
    png_bytep *rows;
    int channels;   /* channels and depth promised by cpng_decoder_open */
    int bit_depth;
    char message[256];
};

void cpng_copy_message(char *destination, size_t size, const char *text) {
    if (destination == NULL || size == 0) return;
    snprintf(destination, size, "%s", text ? text : "");
}

static void on_decoder_error(png_structp png, png_const_charp text) {
    struct cpng_decoder *decoder = png_get_error_ptr(png);
    cpng_copy_message(decoder->message, sizeof decoder->message, text);
    png_longjmp(png, 1);
}

void cpng_on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text; /* ancillary-chunk problems are not worth failing a decode for */
}

static void read_from_buffer(png_structp png, png_bytep out, size_t count) {
    struct cpng_decoder *decoder = png_get_io_ptr(png);
    if (count > decoder->length - decoder->offset) {
        decoder->ran_out_of_data = 1;
        png_error(png, "unexpected end of data");
    }
    memcpy(out, decoder->data + decoder->offset, count);
    decoder->offset += count;
}

static int classify(const struct cpng_decoder *decoder) {
    return cpng_classify(decoder->message, decoder->ran_out_of_data);
}

int cpng_classify(const char *m, int ran_out_of_data) {
    if (ran_out_of_data) return CPNG_TRUNCATED;
    if (strstr(m, "CRC")) return CPNG_CRC;
    if (strstr(m, "IHDR") || strstr(m, "bit depth") || strstr(m, "color type") ||
        strstr(m, "Image width") || strstr(m, "Image height") || strstr(m, "interlace") ||
        strstr(m, "compression method") || strstr(m, "filter method") ||
        strstr(m, "unsigned integer out of range"))
        return CPNG_BAD_HEADER;
    if (strstr(m, "unknown critical chunk") || strstr(m, "not supported") ||
        strstr(m, "unsupported"))
        return CPNG_UNSUPPORTED;
    if (strstr(m, "Out of memory") || strstr(m, "out of memory")) return CPNG_NO_MEMORY;
    return CPNG_CORRUPT;
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
        if (length > 0 && memcmp(data, signature, length) == 0) {
            cpng_copy_message(message, message_size, "the file ends inside the PNG signature");
            return CPNG_TRUNCATED;
        }
        cpng_copy_message(message, message_size, "not a PNG file (no PNG signature)");
        return CPNG_NOT_PNG;
    }
    if (png_sig_cmp(data, 0, 8) != 0) {
        cpng_copy_message(message, message_size, "not a PNG file (no PNG signature)");
        return CPNG_NOT_PNG;
    }

    struct cpng_decoder *decoder = calloc(1, sizeof *decoder);
    if (decoder == NULL) {
        cpng_copy_message(message, message_size, "out of memory");
        return CPNG_NO_MEMORY;
    }
    decoder->data = data;
    decoder->length = length;
    decoder->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, decoder, on_decoder_error, cpng_on_warning);
    if (decoder->png) decoder->info = png_create_info_struct(decoder->png);
    if (decoder->png == NULL || decoder->info == NULL) {
        cpng_decoder_free(decoder);
        cpng_copy_message(message, message_size, "out of memory");
        return CPNG_NO_MEMORY;
    }

    if (setjmp(png_jmpbuf(decoder->png))) {
        int status = classify(decoder);
        cpng_copy_message(message, message_size, decoder->message);
        cpng_decoder_free(decoder);
        return status;
    }

    png_set_read_fn(decoder->png, decoder, read_from_buffer);
    int read_status = cpng_read_header(decoder->png, decoder->info, info, message, message_size);
    if (read_status != CPNG_OK) {
        cpng_decoder_free(decoder);
        return read_status;
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
        if (png_get_PLTE(png, png_info, &palette, &entries) == 0) {
            cpng_copy_message(message, message_size, "palette image without a PLTE chunk");
            return CPNG_CORRUPT;
        }
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

int cpng_decoder_read(cpng_decoder *decoder, void *pixels, size_t capacity,
                      char *message, size_t message_size) {
    if (setjmp(png_jmpbuf(decoder->png))) {
        int status = classify(decoder);
        cpng_copy_message(message, message_size, decoder->message);
        return status;
    }
    cpng_set_up_expansion(decoder->png, decoder->info);
    png_uint_32 width = png_get_image_width(decoder->png, decoder->info);
    png_uint_32 height = png_get_image_height(decoder->png, decoder->info);
    size_t row_bytes = png_get_rowbytes(decoder->png, decoder->info);
    size_t expected = (size_t)width * decoder->channels * (decoder->bit_depth / 8);
    if (png_get_channels(decoder->png, decoder->info) != decoder->channels ||
        png_get_bit_depth(decoder->png, decoder->info) != decoder->bit_depth ||
        row_bytes != expected || capacity / (height ? height : 1) < row_bytes) {
        cpng_copy_message(message, message_size, "pixel buffer does not match the image layout");
        return CPNG_INVALID_ARGUMENT;
    }
    decoder->rows = malloc(sizeof(png_bytep) * (height ? height : 1));
    if (decoder->rows == NULL) {
        cpng_copy_message(message, message_size, "out of memory");
        return CPNG_NO_MEMORY;
    }
    for (png_uint_32 y = 0; y < height; y++) decoder->rows[y] = (png_bytep)pixels + (size_t)y * row_bytes;
    png_read_image(decoder->png, decoder->rows);
    png_read_end(decoder->png, NULL);
    return CPNG_OK;
}

/* A growable output buffer for the encoder. */
struct output_buffer {
    uint8_t *data;
    size_t length;
    size_t capacity;
    char message[256];
};

static void on_encoder_error(png_structp png, png_const_charp text) {
    struct output_buffer *buffer = png_get_error_ptr(png);
    cpng_copy_message(buffer->message, sizeof buffer->message, text);
    png_longjmp(png, 1);
}

static void write_to_buffer(png_structp png, png_bytep bytes, size_t count) {
    struct output_buffer *buffer = png_get_io_ptr(png);
    if (count > buffer->capacity - buffer->length) {
        size_t capacity = buffer->capacity ? buffer->capacity : 65536;
        while (count > capacity - buffer->length) capacity *= 2;
        uint8_t *grown = realloc(buffer->data, capacity);
        if (grown == NULL) png_error(png, "out of memory");
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->length, bytes, count);
    buffer->length += count;
}

static void flush_nothing(png_structp png) { (void)png; }

int cpng_encode(const cpng_write_request *request, uint8_t **out_data, size_t *out_length,
                char *message, size_t message_size) {
    *out_data = NULL;
    *out_length = 0;
    int channels;
    switch (request->color_type) {
    case PNG_COLOR_TYPE_GRAY: channels = 1; break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: channels = 2; break;
    case PNG_COLOR_TYPE_RGB: channels = 3; break;
    case PNG_COLOR_TYPE_RGB_ALPHA: channels = 4; break;
    case PNG_COLOR_TYPE_PALETTE: channels = 1; break;
    default:
        cpng_copy_message(message, message_size, "unknown colour type");
        return CPNG_INVALID_ARGUMENT;
    }
    if (request->compression_level < 0 || request->compression_level > 9) {
        cpng_copy_message(message, message_size, "compression level must be 0..9");
        return CPNG_INVALID_ARGUMENT;
    }
    size_t bytes_per_sample = request->bit_depth == 16 ? 2 : 1;
    size_t row_bytes = (size_t)request->width * channels * bytes_per_sample;

    struct output_buffer buffer = {0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &buffer, on_encoder_error, cpng_on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    png_bytep *rows = malloc(sizeof(png_bytep) * (request->height ? request->height : 1));
    if (png == NULL || info == NULL || rows == NULL) {
        png_destroy_write_struct(&png, &info);
        free(rows);
        cpng_copy_message(message, message_size, "out of memory");
        return CPNG_NO_MEMORY;
    }
    if (setjmp(png_jmpbuf(png))) {
        cpng_copy_message(message, message_size, buffer.message);
        png_destroy_write_struct(&png, &info);
        free(rows);
        free(buffer.data);
        return CPNG_INVALID_ARGUMENT;
    }

    png_set_write_fn(png, &buffer, write_to_buffer, flush_nothing);
    png_set_compression_level(png, request->compression_level);
    png_set_IHDR(png, info, request->width, request->height, request->bit_depth, request->color_type,
                 request->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (request->color_type == PNG_COLOR_TYPE_PALETTE) {
        png_color colors[256];
        png_byte alphas[256];
        int last_translucent = -1;
        for (int i = 0; i < request->palette_size && i < 256; i++) {
            colors[i].red = request->palette[4 * i];
            colors[i].green = request->palette[4 * i + 1];
            colors[i].blue = request->palette[4 * i + 2];
            alphas[i] = request->palette[4 * i + 3];
            if (alphas[i] != 255) last_translucent = i;
        }
        png_set_PLTE(png, info, colors, request->palette_size);
        if (last_translucent >= 0) png_set_tRNS(png, info, alphas, last_translucent + 1, NULL);
    }
    png_write_info(png, info);
    if (cpng_parallel_applies(request)) {
        cpng_parallel_write_image_data(png, request);
        png_write_chunk(png, (png_const_bytep) "IEND", NULL, 0);
        png_destroy_write_struct(&png, &info);
        free(rows);
        *out_data = buffer.data;
        *out_length = buffer.length;
        return CPNG_OK;
    }
    if (request->bit_depth < 8) png_set_packing(png);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (request->bit_depth == 16) png_set_swap(png);
#endif
    for (uint32_t y = 0; y < request->height; y++)
        rows[y] = (png_bytep)request->pixels + (size_t)y * row_bytes;
    png_write_image(png, rows);
    png_write_end(png, NULL);

    png_destroy_write_struct(&png, &info);
    free(rows);
    *out_data = buffer.data;
    *out_length = buffer.length;
    return CPNG_OK;
}
