/* cpng_stream.c: PNG files read and written a row at a time (see cpng_stream.h).
 *
 * The reader pulls bytes from a FILE with fread and keeps only libpng's row buffers. The writer
 * filters rows itself (libpng's adaptive rule, cpng_parallel.c) into pieces of about 4 MiB that
 * deflate threads, one per usable CPU, deflate with libdeflate (cpng_deflate.c) while the next
 * rows arrive; the pieces join into one zlib stream in order, their Adler-32 checksums
 * combined. libpng writes the chunks, through a 1 MiB buffer, to a descriptor. Each entry point
 * sets its own setjmp and frees nothing it does not own, so a failure leaves the object safe to
 * free. */
#include "cpng_stream.h"
#include "cpng_deflate.h"
#include "cpng_internal.h"
#include "cpng_parallel.h"

#include <errno.h>
#include <libdeflate.h>
#include <png.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cpng_row_reader {
    png_structp png;
    png_infop info;
    FILE *file;
    int failure;             /* the status of a failure our checks found, 0 until one is */
    int step;                /* the status a libpng error means in the step now running */
    uint32_t next_row;
    uint32_t height;
    size_t row_bytes;
    /* The chunk being read, checked as its bytes pass to libpng (as cpng.c's check_chunks
     * checks a whole buffer before libpng sees it): its header, data left, CRC so far. */
    uint8_t chunk_header[8];
    size_t header_filled;
    uint64_t data_left;
    uint8_t stored_crc[4];
    size_t crc_filled;
    uint32_t crc;            /* CRC-32 so far, libdeflate's (a third of zlib's time) */
    int chunks_seen;
    uint8_t ihdr[13];
    char message[256];
};

/* Records a failure found by our checks and raises it through libpng (longjmp). */
static void reader_fail(png_structp png, struct cpng_row_reader *reader, int status, const char *text) {
    reader->failure = status;
    png_error(png, text);
}

/* Moves bytes from *bytes into `field` until it holds `size`; whether it does. */
static int gather(uint8_t *field, size_t *filled, size_t size, const uint8_t **bytes, size_t *count) {
    size_t take = size - *filled < *count ? size - *filled : *count;
    memcpy(field + *filled, *bytes, take);
    *filled += take;
    *bytes += take;
    *count -= take;
    return *filled == size;
}

/* Follows the chunk structure of `count` bytes on their way to libpng: each chunk's type is
 * four letters, the first is a 13-byte valid IHDR, a critical chunk is one libpng knows and
 * its CRC matches (ancillary ones are left to libpng, which drops a damaged one). */
static void check_bytes(png_structp png, struct cpng_row_reader *reader, const uint8_t *bytes, size_t count) {
    char text[128];
    while (count > 0) {
        if (reader->header_filled < 8) {
            if (!gather(reader->chunk_header, &reader->header_filled, 8, &bytes, &count)) return;
            const uint8_t *type = reader->chunk_header + 4;
            int first = reader->chunks_seen++ == 0;
            if (!cpng_is_letter(type[0]) || !cpng_is_letter(type[1]) || !cpng_is_letter(type[2]) || !cpng_is_letter(type[3]))
                reader_fail(png, reader, first ? CPNG_BAD_HEADER : CPNG_CORRUPT, "a chunk type is not four letters");
            uint32_t length = cpng_big_endian(reader->chunk_header);
            if (first && memcmp(type, "IHDR", 4) != 0) {
                snprintf(text, sizeof text, "the first chunk is %.4s, not IHDR", (const char *)type);
                reader_fail(png, reader, CPNG_BAD_HEADER, text);
            }
            if (memcmp(type, "IHDR", 4) == 0 && length != 13) {
                snprintf(text, sizeof text, "IHDR has %u bytes, not 13", (unsigned)length);
                reader_fail(png, reader, CPNG_BAD_HEADER, text);
            }
            if (length > PNG_UINT_31_MAX) {
                snprintf(text, sizeof text, "%.4s claims %u bytes, more than 2^31-1", (const char *)type, (unsigned)length);
                reader_fail(png, reader, CPNG_CORRUPT, text);
            }
            if (!(type[0] & 0x20) && memcmp(type, "IHDR", 4) != 0 && memcmp(type, "PLTE", 4) != 0 &&
                memcmp(type, "IDAT", 4) != 0 && memcmp(type, "IEND", 4) != 0) {
                snprintf(text, sizeof text, "unknown critical chunk %.4s", (const char *)type);
                reader_fail(png, reader, CPNG_UNSUPPORTED, text);
            }
            reader->data_left = length;
            reader->crc = libdeflate_crc32(0, type, 4);
            reader->crc_filled = 0;
            continue;
        }
        if (reader->data_left > 0) {
            size_t take = reader->data_left < count ? (size_t)reader->data_left : count;
            if (memcmp(reader->chunk_header + 4, "IHDR", 4) == 0)
                memcpy(reader->ihdr + (13 - reader->data_left), bytes, take);
            reader->crc = libdeflate_crc32(reader->crc, bytes, take);
            reader->data_left -= take;
            bytes += take;
            count -= take;
            continue;
        }
        if (!gather(reader->stored_crc, &reader->crc_filled, 4, &bytes, &count)) return;
        const uint8_t *type = reader->chunk_header + 4;
        if (!(type[0] & 0x20) && reader->crc != cpng_big_endian(reader->stored_crc)) {
            snprintf(text, sizeof text, "%.4s chunk CRC does not match its data", (const char *)type);
            reader_fail(png, reader, CPNG_CRC, text);
        }
        if (memcmp(type, "IHDR", 4) == 0) {
            int status = cpng_check_header(reader->ihdr, text, sizeof text);
            if (status != CPNG_OK) reader_fail(png, reader, status, text);
        }
        reader->header_filled = 0;
    }
}

static void on_reader_error(png_structp png, png_const_charp text) {
    struct cpng_row_reader *reader = png_get_error_ptr(png);
    cpng_copy_message(reader->message, sizeof reader->message, text);
    png_longjmp(png, 1);
}

static void read_from_file(png_structp png, png_bytep out, size_t count) {
    struct cpng_row_reader *reader = png_get_io_ptr(png);
    if (fread(out, 1, count, reader->file) != count) {
        if (ferror(reader->file)) reader_fail(png, reader, CPNG_IO, strerror(errno));
        reader_fail(png, reader, CPNG_TRUNCATED, "unexpected end of data");
    }
    check_bytes(png, reader, out, count);
}

/* The status of the libpng error that just longjmped, with its message. */
static int reader_failure(struct cpng_row_reader *reader, char *message, size_t message_size) {
    cpng_copy_message(message, message_size, reader->message);
    return reader->failure ? reader->failure : reader->step;
}

/* libpng's allocator for the reader: a failed allocation is recorded where it happens. */
static png_voidp reader_alloc(png_structp png, png_alloc_size_t size) {
    png_voidp pointer = malloc(size ? size : 1);
    if (pointer == NULL) ((struct cpng_row_reader *)png_get_mem_ptr(png))->failure = CPNG_NO_MEMORY;
    return pointer;
}

static void reader_free(png_structp png, png_voidp pointer) {
    (void)png;
    free(pointer);
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
    reader->step = CPNG_CORRUPT;
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
    reader->png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, reader, on_reader_error, cpng_on_warning,
                                           reader, reader_alloc, reader_free);
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
    /* The chunk checks above cover critical chunks' CRCs; ancillary ones keep libpng's check. */
    png_set_crc_action(reader->png, PNG_CRC_QUIET_USE, PNG_CRC_DEFAULT);
    reader->step = CPNG_CORRUPT;
    int status = cpng_read_header(reader->png, reader->info, info, message, message_size);
    if (status != CPNG_OK) {
        cpng_row_reader_free(reader);
        return status;
    }
    if (!info->interlaced) {
        reader->step = CPNG_UNSUPPORTED;  /* libpng refusing an expansion of this format */
        cpng_set_up_expansion(reader->png, reader->info);
        reader->step = CPNG_CORRUPT;
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

enum { WRITE_BUFFER = 1 << 20, PIECE_BYTES = 4 << 20, MAX_DEFLATE_THREADS = 4 };

static _Thread_local size_t armed_piece_bytes = 0;
static _Thread_local int armed_deflate_threads = 0;

void cpng_test_limit_stream_pieces(size_t bytes) { armed_piece_bytes = bytes; }

void cpng_test_stream_deflate_threads(int count) { armed_deflate_threads = count; }

/* One piece of filtered rows (about PIECE_BYTES) in the writer's ring. The writer fills piece
 * k in slot k % slot_count; deflate threads take handed-over pieces oldest first, so while the
 * writer fills one piece, up to slot_count - 1 others are deflated at once. The writer writes
 * them in order, and reuses a slot only once its piece is written. */
enum { SLOT_FREE, SLOT_PENDING, SLOT_DEFLATING, SLOT_DONE };

struct cpng_piece_slot {
    uint8_t *input;
    size_t input_length;
    int is_last;
    int state;
    uint64_t sequence;           /* which piece of the image */
    uint8_t *output;             /* the deflated piece, until written */
    size_t output_length;
    int status;                  /* CPNG_OK, CPNG_NO_MEMORY or CPNG_ENCODE_FAILED */
    uint32_t adler;              /* Adler-32 of this piece's filtered rows alone */
};

struct cpng_deflate_worker {
    struct cpng_deflate_pool *pool;
    struct libdeflate_compressor *compressor;
    pthread_t thread;
    int started;
};

struct cpng_deflate_pool {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int synchronised;            /* lock and changed are initialised */
    int quit;
    struct cpng_piece_slot slots[MAX_DEFLATE_THREADS + 1];
    int slot_count;
    struct cpng_deflate_worker workers[MAX_DEFLATE_THREADS];
    int worker_count;
    struct cpng_call *call;
};

struct cpng_row_writer {
    png_structp png;
    png_infop info;
    int descriptor;
    uint8_t *buffer;
    size_t buffered;
    uint32_t next_row;
    uint32_t height;
    size_t row_bytes;
    size_t bpp;
    int bit_depth;
    int compression_level;
    uint8_t *rows;               /* current row, previous row (PNG byte order) */
    size_t piece_capacity;
    size_t piece_filled;
    uint64_t filling;            /* the piece being filled, in slot filling % slot_count */
    uint64_t written;            /* pieces written to IDAT so far */
    uLong adler;                 /* Adler-32 of the pieces written */
    struct cpng_idat idat;
    struct cpng_call call;
    struct cpng_deflate_pool pool;
    char message[256];
};

/* A deflate thread: takes the oldest handed-over piece, checksums and deflates it. */
static void *deflate_pieces(void *argument) {
    struct cpng_deflate_worker *worker = argument;
    struct cpng_deflate_pool *pool = worker->pool;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        struct cpng_piece_slot *slot = NULL;
        for (int i = 0; i < pool->slot_count; i++) {
            struct cpng_piece_slot *candidate = &pool->slots[i];
            if (candidate->state == SLOT_PENDING && (slot == NULL || candidate->sequence < slot->sequence))
                slot = candidate;
        }
        if (pool->quit) break;
        if (slot == NULL) {
            pthread_cond_wait(&pool->changed, &pool->lock);
            continue;
        }
        slot->state = SLOT_DEFLATING;
        pthread_mutex_unlock(&pool->lock);
        uint32_t adler = (uint32_t)libdeflate_adler32(1, slot->input, slot->input_length);
        uint8_t *output = NULL;
        size_t length = 0;
        int status = cpng_deflate_piece(worker->compressor, pool->call, slot->input, slot->input_length,
                                        slot->is_last, &output, &length);
        pthread_mutex_lock(&pool->lock);
        slot->adler = adler;
        slot->output = output;
        slot->output_length = length;
        slot->status = status;
        slot->state = SLOT_DONE;
        pthread_cond_broadcast(&pool->changed);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

/* Stops the deflate threads and frees the pool's buffers and compressors. */
static void pool_free(struct cpng_deflate_pool *pool) {
    if (pool->synchronised) {
        pthread_mutex_lock(&pool->lock);
        pool->quit = 1;
        pthread_cond_broadcast(&pool->changed);
        pthread_mutex_unlock(&pool->lock);
        for (int i = 0; i < pool->worker_count; i++)
            if (pool->workers[i].started) pthread_join(pool->workers[i].thread, NULL);
        pthread_mutex_destroy(&pool->lock);
        pthread_cond_destroy(&pool->changed);
    }
    for (int i = 0; i < pool->worker_count; i++)
        if (pool->workers[i].compressor) libdeflate_free_compressor(pool->workers[i].compressor);
    for (int i = 0; i < pool->slot_count; i++) {
        free(pool->slots[i].input);
        free(pool->slots[i].output);
    }
}

/* Sets up `threads` deflate threads (at least one starts, or CPNG_NO_MEMORY) and a ring of
 * threads + 1 pieces of `capacity` bytes. */
static int pool_start(struct cpng_deflate_pool *pool, struct cpng_call *call, int threads, size_t capacity,
                      int compression_level) {
    pool->call = call;
    pool->worker_count = threads;
    pool->slot_count = threads + 1;
    for (int i = 0; i < pool->slot_count; i++) {
        pool->slots[i].input = cpng_call_alloc(call, capacity);
        if (pool->slots[i].input == NULL) return CPNG_NO_MEMORY;
    }
    for (int i = 0; i < threads; i++) {
        pool->workers[i].pool = pool;
        pool->workers[i].compressor = cpng_deflate_compressor(call, compression_level);
        if (pool->workers[i].compressor == NULL) return CPNG_NO_MEMORY;
    }
    if (pthread_mutex_init(&pool->lock, NULL) != 0) return CPNG_NO_MEMORY;
    if (pthread_cond_init(&pool->changed, NULL) != 0) {
        pthread_mutex_destroy(&pool->lock);
        return CPNG_NO_MEMORY;
    }
    pool->synchronised = 1;
    int started = 0;
    for (int i = 0; i < threads; i++) {
        pool->workers[i].started = pthread_create(&pool->workers[i].thread, NULL, deflate_pieces, &pool->workers[i]) == 0;
        started += pool->workers[i].started;
    }
    return started > 0 ? CPNG_OK : CPNG_NO_MEMORY;
}

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
    pool_free(&writer->pool);
    png_destroy_write_struct(&writer->png, &writer->info);
    free(writer->idat.chunk);
    free(writer->rows);
    free(writer->buffer);
    free(writer);
}

/* The failure of the piece just deflated, as a status and a message. */
static int piece_failure(int status, char *message, size_t message_size) {
    return cpng_fail(status, message, message_size,
                     status == CPNG_NO_MEMORY ? "out of memory while compressing" : "deflating the rows failed");
}

int cpng_row_writer_open(int descriptor, uint32_t width, uint32_t height, int color_type,
                         int bit_depth, int compression_level, const uint8_t *chunks,
                         size_t chunks_length, cpng_row_writer **out, char *message,
                         size_t message_size) {
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
        width == 0 || width > PNG_UINT_31_MAX || height == 0 || height > PNG_UINT_31_MAX) {
        cpng_copy_message(message, message_size, "bit depth must be 8 or 16, compression 0..9");
        return CPNG_INVALID_ARGUMENT;
    }
    size_t bpp = (size_t)channels * (bit_depth / 8), row_bytes, stride, scratch;
    if (__builtin_mul_overflow((size_t)width, bpp, &row_bytes) || __builtin_add_overflow(row_bytes, 1, &stride) ||
        __builtin_mul_overflow(row_bytes, 2, &scratch)) {
        cpng_copy_message(message, message_size, "a row's bytes exceed the address space");
        return CPNG_TOO_LARGE;
    }
    struct cpng_row_writer *writer = calloc(1, sizeof *writer);
    if (writer == NULL) {
        cpng_copy_message(message, message_size, "out of memory");
        return CPNG_NO_MEMORY;
    }
    *writer = (struct cpng_row_writer){.descriptor = descriptor, .height = height, .row_bytes = row_bytes,
                                       .bpp = bpp, .bit_depth = bit_depth,
                                       .compression_level = compression_level, .adler = 1};
    cpng_call_start(&writer->call);
    /* Whole rows, at least one, about PIECE_BYTES (or what a test armed). */
    size_t piece_bytes = armed_piece_bytes > 0 ? armed_piece_bytes : PIECE_BYTES;
    armed_piece_bytes = 0;
    writer->piece_capacity = stride * (stride < piece_bytes ? piece_bytes / stride : 1);
    int threads = armed_deflate_threads > 0 ? armed_deflate_threads : cpng_usable_cpus();
    armed_deflate_threads = 0;
    if (threads > MAX_DEFLATE_THREADS) threads = MAX_DEFLATE_THREADS;
    writer->buffer = malloc(WRITE_BUFFER);
    writer->rows = cpng_call_alloc(&writer->call, scratch);
    int idat = cpng_idat_start(&writer->idat, &writer->call);
    writer->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, writer, on_writer_error, cpng_on_warning);
    if (writer->png) writer->info = png_create_info_struct(writer->png);
    if (writer->buffer == NULL || writer->rows == NULL || idat != CPNG_OK || writer->png == NULL ||
        writer->info == NULL ||
        pool_start(&writer->pool, &writer->call, threads, writer->piece_capacity, compression_level) != CPNG_OK) {
        cpng_row_writer_free(writer);
        cpng_copy_message(message, message_size, "out of memory");
        return CPNG_NO_MEMORY;
    }
    memset(writer->rows + row_bytes, 0, row_bytes);  /* the row above the first */
    if (setjmp(png_jmpbuf(writer->png))) {
        cpng_copy_message(message, message_size, writer->message);
        cpng_row_writer_free(writer);
        return CPNG_IO;
    }
    png_set_write_fn(writer->png, writer, write_to_descriptor, flush_to_descriptor);
    png_set_IHDR(writer->png, writer->info, width, height, bit_depth, color_type,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info_before_PLTE(writer->png, writer->info);
    cpng_write_chunks(writer->png, chunks, chunks_length);
    png_write_info(writer->png, writer->info);
    uint8_t header[2];
    cpng_zlib_header(compression_level, header);
    cpng_idat_append(writer->png, &writer->idat, header, 2);
    *out = writer;
    return CPNG_OK;
}

/* Waits for the oldest piece not yet written (there must be one), appends it to the IDAT
 * stream and frees its slot. May longjmp (png_write_chunk: the output stays in the slot, which
 * cpng_row_writer_free frees); returns the piece's status otherwise. */
static int write_oldest_piece(struct cpng_row_writer *writer) {
    struct cpng_deflate_pool *pool = &writer->pool;
    struct cpng_piece_slot *slot = &pool->slots[writer->written % (uint64_t)pool->slot_count];
    pthread_mutex_lock(&pool->lock);
    while (slot->state != SLOT_DONE) pthread_cond_wait(&pool->changed, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
    if (slot->status != CPNG_OK) return slot->status;
    cpng_idat_append(writer->png, &writer->idat, slot->output, slot->output_length);
    /* Each piece's checksum starts afresh: combined in order, they are the stream's. */
    writer->adler = adler32_combine(writer->adler, slot->adler, (z_off_t)slot->input_length);
    free(slot->output);
    slot->output = NULL;
    slot->state = SLOT_FREE;
    writer->written++;
    return CPNG_OK;
}

/* Hands the filled piece to the deflate threads, then makes the next slot free for filling
 * (writing the piece it held). */
static int hand_over_piece(struct cpng_row_writer *writer, int is_last) {
    struct cpng_deflate_pool *pool = &writer->pool;
    struct cpng_piece_slot *slot = &pool->slots[writer->filling % (uint64_t)pool->slot_count];
    pthread_mutex_lock(&pool->lock);
    slot->input_length = writer->piece_filled;
    slot->is_last = is_last;
    slot->sequence = writer->filling;
    slot->state = SLOT_PENDING;
    pthread_cond_broadcast(&pool->changed);
    pthread_mutex_unlock(&pool->lock);
    writer->filling++;
    writer->piece_filled = 0;
    if (writer->filling - writer->written == (uint64_t)pool->slot_count) return write_oldest_piece(writer);
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
    size_t n = writer->row_bytes, stride = n + 1;
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *current = writer->rows, *previous = writer->rows + n;
        cpng_png_order((const uint8_t *)rows + (size_t)i * n, n, writer->bit_depth, current);
        cpng_filter_row(current, previous, n, writer->bpp,
                        writer->pool.slots[writer->filling % (uint64_t)writer->pool.slot_count].input +
                            writer->piece_filled);
        memcpy(previous, current, n);
        writer->piece_filled += stride;
        writer->next_row++;
        int is_last = writer->next_row == writer->height;
        if (is_last || writer->piece_filled + stride > writer->piece_capacity) {
            int status = hand_over_piece(writer, is_last);
            if (status != CPNG_OK) return piece_failure(status, message, message_size);
        }
    }
    if (writer->next_row == writer->height) {
        while (writer->written < writer->filling) {
            int status = write_oldest_piece(writer);
            if (status != CPNG_OK) return piece_failure(status, message, message_size);
        }
        uint8_t trailer[4];
        cpng_zlib_trailer((uint32_t)writer->adler, trailer);
        cpng_idat_append(writer->png, &writer->idat, trailer, 4);
        cpng_idat_flush(writer->png, &writer->idat);
        png_write_chunk(writer->png, (png_const_bytep) "IEND", NULL, 0);
        if (drain(writer) != 0) {
            cpng_copy_message(message, message_size, strerror(errno));
            return CPNG_IO;
        }
    }
    return CPNG_OK;
}
