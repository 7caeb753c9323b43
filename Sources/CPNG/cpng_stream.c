/* cpng_stream.c: PNG files read and written a row at a time (see cpng_stream.h).
 *
 * The reader pulls bytes from a FILE with fread, the writer pushes them to a descriptor
 * through a 1 MiB buffer; both keep only libpng's row buffers. Each entry point sets its own
 * setjmp and frees nothing it does not own, so a failure leaves the object safe to free. */
#include "cpng_stream.h"
#include "cpng_internal.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cpng_row_reader {
    png_structp png;
    png_infop info;
    FILE *file;
    int ran_out_of_data;
    int read_failed;
    uint32_t next_row;
    uint32_t height;
    size_t row_bytes;
    char message[256];
};

/* The status of a libpng error while streaming. The whole-file decoder checks chunks and CRCs
 * itself before libpng reads them; the row reader sees the file only as libpng reads it, so it
 * keeps libpng's checks and tells their failures apart by libpng's messages. */
static int classify(const char *m, int ran_out_of_data) {
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

static void on_reader_error(png_structp png, png_const_charp text) {
    struct cpng_row_reader *reader = png_get_error_ptr(png);
    cpng_copy_message(reader->message, sizeof reader->message, text);
    png_longjmp(png, 1);
}

static void read_from_file(png_structp png, png_bytep out, size_t count) {
    struct cpng_row_reader *reader = png_get_io_ptr(png);
    if (fread(out, 1, count, reader->file) != count) {
        if (ferror(reader->file)) {
            reader->read_failed = 1;
            png_error(png, strerror(errno));
        }
        reader->ran_out_of_data = 1;
        png_error(png, "unexpected end of data");
    }
}

static int reader_failure(struct cpng_row_reader *reader, char *message, size_t message_size) {
    cpng_copy_message(message, message_size, reader->message);
    if (reader->read_failed) return CPNG_IO;
    return classify(reader->message, reader->ran_out_of_data);
}

void cpng_row_reader_free(cpng_row_reader *reader) {
    if (reader == NULL) return;
    png_destroy_read_struct(&reader->png, &reader->info, NULL);
    if (reader->file) fclose(reader->file);
    free(reader);
}

int cpng_row_reader_open(const char *path, cpng_row_reader **out, cpng_info *info,
                         char *message, size_t message_size) {
    *out = NULL;
    memset(info, 0, sizeof *info);
    struct cpng_row_reader *reader = calloc(1, sizeof *reader);
    if (reader == NULL) {
        cpng_copy_message(message, message_size, "out of memory");
        return CPNG_NO_MEMORY;
    }
    reader->file = fopen(path, "rb");
    if (reader->file == NULL) {
        cpng_copy_message(message, message_size, strerror(errno));
        cpng_row_reader_free(reader);
        return CPNG_IO;
    }
    uint8_t signature[8];
    size_t got = fread(signature, 1, 8, reader->file);
    if (got < 8 || png_sig_cmp(signature, 0, 8) != 0) {
        static const uint8_t expected[8] = {137, 80, 78, 71, 13, 10, 26, 10};
        int truncated = got > 0 && got < 8 && memcmp(signature, expected, got) == 0;
        cpng_copy_message(message, message_size,
                          truncated ? "the file ends inside the PNG signature"
                                    : "not a PNG file (no PNG signature)");
        cpng_row_reader_free(reader);
        return truncated ? CPNG_TRUNCATED : CPNG_NOT_PNG;
    }
    reader->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, reader, on_reader_error, cpng_on_warning);
    if (reader->png) reader->info = png_create_info_struct(reader->png);
    if (reader->png == NULL || reader->info == NULL) {
        cpng_copy_message(message, message_size, "out of memory");
        cpng_row_reader_free(reader);
        return CPNG_NO_MEMORY;
    }
    if (setjmp(png_jmpbuf(reader->png))) {
        int status = reader_failure(reader, message, message_size);
        cpng_row_reader_free(reader);
        return status;
    }
    png_set_read_fn(reader->png, reader, read_from_file);
    png_set_sig_bytes(reader->png, 8);
    int status = cpng_read_header(reader->png, reader->info, info, message, message_size);
    if (status != CPNG_OK) {
        cpng_row_reader_free(reader);
        return status;
    }
    if (!info->interlaced) {
        cpng_set_up_expansion(reader->png, reader->info);
        reader->row_bytes = png_get_rowbytes(reader->png, reader->info);
        size_t expected = (size_t)info->width * info->channels * (info->bit_depth / 8);
        if (reader->row_bytes != expected) {
            cpng_copy_message(message, message_size, "row layout does not match the header");
            cpng_row_reader_free(reader);
            return CPNG_CORRUPT;
        }
    }
    reader->height = info->height;
    *out = reader;
    return CPNG_OK;
}

int cpng_row_reader_read(cpng_row_reader *reader, void *rows, uint32_t count, char *message,
                         size_t message_size) {
    if (reader->row_bytes == 0 || count > reader->height - reader->next_row) {
        cpng_copy_message(message, message_size, "no such rows to read");
        return CPNG_INVALID_ARGUMENT;
    }
    if (setjmp(png_jmpbuf(reader->png))) return reader_failure(reader, message, message_size);
    for (uint32_t i = 0; i < count; i++) {
        png_read_row(reader->png, (png_bytep)rows + (size_t)i * reader->row_bytes, NULL);
        reader->next_row++;
    }
    if (reader->next_row == reader->height) png_read_end(reader->png, NULL);
    return CPNG_OK;
}

enum { WRITE_BUFFER = 1 << 20 };

struct cpng_row_writer {
    png_structp png;
    png_infop info;
    int descriptor;
    uint8_t *buffer;
    size_t buffered;
    uint32_t next_row;
    uint32_t height;
    size_t row_bytes;
    char message[256];
};

static void on_writer_error(png_structp png, png_const_charp text) {
    struct cpng_row_writer *writer = png_get_error_ptr(png);
    cpng_copy_message(writer->message, sizeof writer->message, text);
    png_longjmp(png, 1);
}

/* Writes the buffered bytes to the descriptor; 0 on success, -1 with errno set. */
static int drain(struct cpng_row_writer *writer) {
    size_t done = 0;
    while (done < writer->buffered) {
        ssize_t count = write(writer->descriptor, writer->buffer + done, writer->buffered - done);
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) return -1;
        done += (size_t)count;
    }
    writer->buffered = 0;
    return 0;
}

static void write_to_descriptor(png_structp png, png_bytep bytes, size_t count) {
    struct cpng_row_writer *writer = png_get_io_ptr(png);
    while (count > 0) {
        if (writer->buffered == WRITE_BUFFER && drain(writer) != 0) png_error(png, strerror(errno));
        size_t room = WRITE_BUFFER - writer->buffered;
        size_t step = count < room ? count : room;
        memcpy(writer->buffer + writer->buffered, bytes, step);
        writer->buffered += step;
        bytes += step;
        count -= step;
    }
}

static void flush_to_descriptor(png_structp png) {
    struct cpng_row_writer *writer = png_get_io_ptr(png);
    if (drain(writer) != 0) png_error(png, strerror(errno));
}

void cpng_row_writer_free(cpng_row_writer *writer) {
    if (writer == NULL) return;
    png_destroy_write_struct(&writer->png, &writer->info);
    free(writer->buffer);
    free(writer);
}

int cpng_row_writer_open(int descriptor, uint32_t width, uint32_t height, int color_type,
                         int bit_depth, int compression_level, cpng_row_writer **out,
                         char *message, size_t message_size) {
    *out = NULL;
    int channels;
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY: channels = 1; break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: channels = 2; break;
    case PNG_COLOR_TYPE_RGB: channels = 3; break;
    case PNG_COLOR_TYPE_RGB_ALPHA: channels = 4; break;
    default:
        cpng_copy_message(message, message_size, "unknown colour type");
        return CPNG_INVALID_ARGUMENT;
    }
    if ((bit_depth != 8 && bit_depth != 16) || compression_level < 0 || compression_level > 9 ||
        width == 0 || height == 0) {
        cpng_copy_message(message, message_size, "bit depth must be 8 or 16, compression 0..9");
        return CPNG_INVALID_ARGUMENT;
    }
    struct cpng_row_writer *writer = calloc(1, sizeof *writer);
    if (writer) writer->buffer = malloc(WRITE_BUFFER);
    if (writer) writer->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, writer, on_writer_error, cpng_on_warning);
    if (writer && writer->png) writer->info = png_create_info_struct(writer->png);
    if (writer == NULL || writer->buffer == NULL || writer->png == NULL || writer->info == NULL) {
        cpng_row_writer_free(writer);
        cpng_copy_message(message, message_size, "out of memory");
        return CPNG_NO_MEMORY;
    }
    writer->descriptor = descriptor;
    writer->height = height;
    writer->row_bytes = (size_t)width * channels * (bit_depth / 8);
    if (setjmp(png_jmpbuf(writer->png))) {
        cpng_copy_message(message, message_size, writer->message);
        cpng_row_writer_free(writer);
        return CPNG_IO;
    }
    png_set_write_fn(writer->png, writer, write_to_descriptor, flush_to_descriptor);
    png_set_compression_level(writer->png, compression_level);
    png_set_IHDR(writer->png, writer->info, width, height, bit_depth, color_type,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(writer->png, writer->info);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (bit_depth == 16) png_set_swap(writer->png);
#endif
    *out = writer;
    return CPNG_OK;
}

int cpng_row_writer_write(cpng_row_writer *writer, const void *rows, uint32_t count,
                          char *message, size_t message_size) {
    if (count > writer->height - writer->next_row) {
        cpng_copy_message(message, message_size, "more rows than the image has");
        return CPNG_INVALID_ARGUMENT;
    }
    if (setjmp(png_jmpbuf(writer->png))) {
        cpng_copy_message(message, message_size, writer->message);
        return CPNG_IO;
    }
    for (uint32_t i = 0; i < count; i++) {
        png_write_row(writer->png, (png_const_bytep)rows + (size_t)i * writer->row_bytes);
        writer->next_row++;
    }
    if (writer->next_row == writer->height) {
        png_write_end(writer->png, NULL);
        if (drain(writer) != 0) {
            cpng_copy_message(message, message_size, strerror(errno));
            return CPNG_IO;
        }
    }
    return CPNG_OK;
}
