/* ch5.c: libhdf5 behind a small, checked interface (see include/ch5.h).
 *
 * Every entry point takes `lock`: Debian's libhdf5 is the serial build, whose library state is
 * not safe to share between threads. Only hard links are followed, so a crafted file cannot make
 * libhdf5 open another file on disk through an external or soft link. */
#include "ch5.h"
#include <hdf5.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ch5_file {
    hid_t id;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int initialised = 0;
static unsigned long long images_opened = 0;

/* Starts libhdf5 once and stops it printing its error stack to stderr; the caller holds `lock`. */
static int start_library(void) {
    if (initialised) return 0;
    if (H5open() < 0) return -1;
    if (H5Eset_auto2(H5E_DEFAULT, NULL, NULL) < 0) return -1;
    initialised = 1;
    return 0;
}

/* Collects the innermost description on libhdf5's error stack. */
static herr_t first_error(unsigned depth, const H5E_error2_t *error, void *context) {
    char *text = context;
    if (depth == 0 && error && error->desc && text[0] == '\0') {
        snprintf(text, 256, "%s", error->desc);
    }
    return 0;
}

/* Writes `what`, then libhdf5's own reason when it gave one, into `message`; returns `status`. */
static int fail(int status, const char *what, char *message, size_t message_size) {
    char reason[256] = {0};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_error, reason);
    H5Eclear2(H5E_DEFAULT);
    if (message && message_size > 0) {
        if (reason[0]) {
            snprintf(message, message_size, "%s (libhdf5: %s)", what, reason);
        } else {
            snprintf(message, message_size, "%s", what);
        }
    }
    return status;
}

/* Whether `path` names an object reached through hard links only: each prefix is checked. */
static int hard_path_exists(hid_t file, const char *path, int *exists) {
    *exists = 0;
    size_t length = strlen(path);
    if (length == 0 || strcmp(path, "/") == 0) {
        *exists = 1;
        return 0;
    }
    char *prefix = malloc(length + 1);
    if (!prefix) return -1;
    size_t start = path[0] == '/' ? 1 : 0;
    for (size_t end = start; end <= length; end++) {
        if (end < length && path[end] != '/') continue;
        if (end == start) return free(prefix), -1; /* an empty component: "a//b" */
        memcpy(prefix, path, end);
        prefix[end] = '\0';
        htri_t found = H5Lexists(file, prefix, H5P_DEFAULT);
        if (found < 0) return free(prefix), -1;
        if (found == 0) return free(prefix), 0;
        H5L_info_t info;
        if (H5Lget_info(file, prefix, &info, H5P_DEFAULT) < 0) return free(prefix), -1;
        if (info.type != H5L_TYPE_HARD) return free(prefix), 0;
        start = end + 1;
    }
    free(prefix);
    *exists = 1;
    return 0;
}

int ch5_open_image(const uint8_t *data, size_t length, ch5_file **out, char *message,
                   size_t message_size) {
    static const uint8_t signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    if (!out || (!data && length > 0)) {
        return fail(CH5_INVALID_ARGUMENT, "invalid arguments", message, message_size);
    }
    *out = NULL;
    pthread_mutex_lock(&lock);
    int status = CH5_OK;
    hid_t fapl = H5I_INVALID_HID;
    if (start_library() < 0) {
        status = fail(CH5_CORRUPT, "libhdf5 did not start", message, message_size);
        goto done;
    }
    /* The superblock may also follow a user block of 512, 1024, 2048, ... bytes. */
    int signed_at_known_offset = 0;
    for (size_t offset = 0; offset + 8 <= length; offset = offset ? offset * 2 : 512) {
        if (memcmp(data + offset, signature, 8) == 0) {
            signed_at_known_offset = 1;
            break;
        }
    }
    if (!signed_at_known_offset) {
        status = fail(CH5_NOT_HDF5, "no HDF5 signature", message, message_size);
        goto done;
    }
    fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fapl_core(fapl, 1 << 16, 0) < 0 ||
        H5Pset_file_image(fapl, (void *)data, length) < 0) {
        status = fail(CH5_CORRUPT, "cannot prepare the file image", message, message_size);
        goto done;
    }
    /* Each image gets its own name: libhdf5 would otherwise treat two as one open file. */
    char name[64];
    snprintf(name, sizeof name, "ch5-image-%llu", ++images_opened);
    hid_t id = H5Fopen(name, H5F_ACC_RDONLY, fapl);
    if (id < 0) {
        status = fail(CH5_CORRUPT, "libhdf5 cannot open it", message, message_size);
        goto done;
    }
    ch5_file *file = malloc(sizeof *file);
    if (!file) {
        H5Fclose(id);
        status = fail(CH5_CORRUPT, "out of memory", message, message_size);
        goto done;
    }
    file->id = id;
    *out = file;
done:
    if (fapl >= 0) H5Pclose(fapl);
    pthread_mutex_unlock(&lock);
    return status;
}

void ch5_close(ch5_file *file) {
    if (!file) return;
    pthread_mutex_lock(&lock);
    H5Fclose(file->id);
    H5Eclear2(H5E_DEFAULT);
    pthread_mutex_unlock(&lock);
    free(file);
}

/* ch5_kind without the lock. */
static int kind_unlocked(ch5_file *file, const char *path, int *kind, char *message,
                         size_t message_size) {
    *kind = CH5_KIND_NONE;
    int exists = 0;
    if (hard_path_exists(file->id, path, &exists) < 0) {
        return fail(CH5_CORRUPT, "cannot follow the path", message, message_size);
    }
    if (!exists) return CH5_OK;
    hid_t object = H5Oopen(file->id, path, H5P_DEFAULT);
    if (object < 0) return fail(CH5_CORRUPT, "cannot open the object", message, message_size);
    H5I_type_t type = H5Iget_type(object);
    H5Oclose(object);
    *kind = type == H5I_GROUP     ? CH5_KIND_GROUP
            : type == H5I_DATASET ? CH5_KIND_DATASET
                                  : CH5_KIND_OTHER;
    return CH5_OK;
}

/* Checks that `path` is an object of `wanted` kind; the caller holds `lock`. */
static int expect_kind(ch5_file *file, const char *path, int wanted, char *message,
                       size_t message_size) {
    int kind = CH5_KIND_NONE;
    int status = kind_unlocked(file, path, &kind, message, message_size);
    if (status != CH5_OK) return status;
    if (kind == CH5_KIND_NONE) return fail(CH5_MISSING, "no such object", message, message_size);
    if (kind != wanted) {
        return fail(CH5_WRONG_KIND, wanted == CH5_KIND_GROUP ? "not a group" : "not a dataset",
                    message, message_size);
    }
    return CH5_OK;
}

int ch5_kind(ch5_file *file, const char *path, int *kind, char *message, size_t message_size) {
    if (!file || !path || !kind) {
        return fail(CH5_INVALID_ARGUMENT, "invalid arguments", message, message_size);
    }
    pthread_mutex_lock(&lock);
    int status = kind_unlocked(file, path, kind, message, message_size);
    pthread_mutex_unlock(&lock);
    return status;
}

int ch5_group_size(ch5_file *file, const char *path, uint64_t *count, char *message,
                   size_t message_size) {
    if (!file || !path || !count) {
        return fail(CH5_INVALID_ARGUMENT, "invalid arguments", message, message_size);
    }
    pthread_mutex_lock(&lock);
    int status = expect_kind(file, path, CH5_KIND_GROUP, message, message_size);
    if (status == CH5_OK) {
        hid_t group = H5Gopen2(file->id, path, H5P_DEFAULT);
        H5G_info_t info;
        if (group < 0 || H5Gget_info(group, &info) < 0) {
            status = fail(CH5_CORRUPT, "cannot read the group", message, message_size);
        } else {
            *count = info.nlinks;
        }
        if (group >= 0) H5Gclose(group);
    }
    pthread_mutex_unlock(&lock);
    return status;
}

int ch5_child_name(ch5_file *file, const char *path, uint64_t index, char *name, size_t capacity,
                   char *message, size_t message_size) {
    if (!file || !path || !name || capacity == 0) {
        return fail(CH5_INVALID_ARGUMENT, "invalid arguments", message, message_size);
    }
    pthread_mutex_lock(&lock);
    int status = expect_kind(file, path, CH5_KIND_GROUP, message, message_size);
    if (status == CH5_OK) {
        ssize_t length = H5Lget_name_by_idx(file->id, path, H5_INDEX_NAME, H5_ITER_INC, index,
                                            name, capacity, H5P_DEFAULT);
        if (length < 0) {
            status = fail(CH5_CORRUPT, "cannot read a link name", message, message_size);
        } else if ((size_t)length >= capacity) {
            status = fail(CH5_UNSUPPORTED, "a link name is too long", message, message_size);
        }
    }
    pthread_mutex_unlock(&lock);
    return status;
}

/* Opens the floating-point dataset at `path` and its dataspace; the caller holds `lock` and
 * closes both on success. */
static int open_float_dataset(ch5_file *file, const char *path, hid_t *dataset, hid_t *space,
                              char *message, size_t message_size) {
    int status = expect_kind(file, path, CH5_KIND_DATASET, message, message_size);
    if (status != CH5_OK) return status;
    *dataset = H5Dopen2(file->id, path, H5P_DEFAULT);
    if (*dataset < 0) return fail(CH5_CORRUPT, "cannot open the dataset", message, message_size);
    hid_t type = H5Dget_type(*dataset);
    H5T_class_t type_class = type < 0 ? H5T_NO_CLASS : H5Tget_class(type);
    if (type >= 0) H5Tclose(type);
    if (type_class != H5T_FLOAT) {
        H5Dclose(*dataset);
        return fail(CH5_UNSUPPORTED, "the dataset does not hold floating-point numbers", message,
                    message_size);
    }
    *space = H5Dget_space(*dataset);
    if (*space < 0 || H5Sget_simple_extent_type(*space) == H5S_NULL) {
        if (*space >= 0) H5Sclose(*space);
        H5Dclose(*dataset);
        return fail(CH5_UNSUPPORTED, "the dataset has no data space", message, message_size);
    }
    return CH5_OK;
}

/* What a public call does with an open floating-point dataset and its dataspace. */
typedef int (*dataset_work)(hid_t dataset, hid_t space, void *context, char *message,
                            size_t message_size);

/* Takes `lock`, opens the floating-point dataset at `path`, runs `work` on it, then closes the
 * dataset and releases the lock on every path. */
static int with_float_dataset(ch5_file *file, const char *path, dataset_work work, void *context,
                              char *message, size_t message_size) {
    pthread_mutex_lock(&lock);
    hid_t dataset, space;
    int status = open_float_dataset(file, path, &dataset, &space, message, message_size);
    if (status == CH5_OK) {
        status = work(dataset, space, context, message, message_size);
        H5Sclose(space);
        H5Dclose(dataset);
    }
    pthread_mutex_unlock(&lock);
    return status;
}

struct shape_request {
    int *rank;
    uint64_t *dims;
};

static int read_shape(hid_t dataset, hid_t space, void *context, char *message,
                      size_t message_size) {
    (void)dataset;
    struct shape_request *request = context;
    int axes = H5Sget_simple_extent_ndims(space);
    if (axes < 0 || axes > CH5_MAX_RANK) {
        return fail(CH5_UNSUPPORTED, "the dataset has too many axes", message, message_size);
    }
    hsize_t sizes[CH5_MAX_RANK];
    if (H5Sget_simple_extent_dims(space, sizes, NULL) < 0) {
        return fail(CH5_CORRUPT, "cannot read the dataset's shape", message, message_size);
    }
    *request->rank = axes;
    for (int axis = 0; axis < axes; axis++) request->dims[axis] = sizes[axis];
    return CH5_OK;
}

int ch5_dataset_shape(ch5_file *file, const char *path, int *rank, uint64_t dims[CH5_MAX_RANK],
                      char *message, size_t message_size) {
    if (!file || !path || !rank || !dims) {
        return fail(CH5_INVALID_ARGUMENT, "invalid arguments", message, message_size);
    }
    struct shape_request request = {rank, dims};
    return with_float_dataset(file, path, read_shape, &request, message, message_size);
}

struct values_request {
    float *values;
    uint64_t count;
};

static int read_values(hid_t dataset, hid_t space, void *context, char *message,
                       size_t message_size) {
    struct values_request *request = context;
    hssize_t points = H5Sget_simple_extent_npoints(space);
    if (points < 0 || (uint64_t)points != request->count) {
        return fail(CH5_SIZE_MISMATCH, "the dataset's size differs from the expected one", message,
                    message_size);
    }
    if (request->count > 0 && H5Dread(dataset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                      request->values) < 0) {
        return fail(CH5_CORRUPT, "cannot read the dataset's values", message, message_size);
    }
    return CH5_OK;
}

int ch5_read_float32(ch5_file *file, const char *path, float *values, uint64_t count,
                     char *message, size_t message_size) {
    if (!file || !path || (!values && count > 0)) {
        return fail(CH5_INVALID_ARGUMENT, "invalid arguments", message, message_size);
    }
    struct values_request request = {values, count};
    return with_float_dataset(file, path, read_values, &request, message, message_size);
}

/* Reads the strings of attribute `attribute` (open) into `buffer`; the caller holds `lock`. */
static int read_strings(hid_t attribute, char *buffer, size_t capacity, uint64_t *count,
                        size_t *used, char *message, size_t message_size) {
    int status = CH5_OK;
    hid_t type = H5Aget_type(attribute), space = H5Aget_space(attribute), memory = H5I_INVALID_HID;
    hssize_t points = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
    int rank = space < 0 ? -1 : H5Sget_simple_extent_ndims(space);
    if (type < 0 || points < 0 || rank < 0 || rank > 1) {
        status = fail(CH5_UNSUPPORTED, "the attribute is not a string or a list of them", message,
                      message_size);
        goto done;
    }
    *count = 0;
    *used = 0;
    if (points == 0) goto done; /* h5py writes an empty list as an empty float array */
    if (H5Tget_class(type) != H5T_STRING) {
        status = fail(CH5_UNSUPPORTED, "the attribute does not hold strings", message, message_size);
        goto done;
    }
    htri_t variable = H5Tis_variable_str(type);
    if (variable < 0) {
        status = fail(CH5_CORRUPT, "cannot read the attribute's type", message, message_size);
        goto done;
    }
    size_t needed = 0;
    if (variable) {
        char **strings = calloc((size_t)points, sizeof *strings);
        memory = H5Tcopy(H5T_C_S1);
        if (!strings || memory < 0 || H5Tset_size(memory, H5T_VARIABLE) < 0 ||
            H5Tset_cset(memory, H5Tget_cset(type)) < 0 || H5Aread(attribute, memory, strings) < 0) {
            free(strings);
            status = fail(CH5_CORRUPT, "cannot read the attribute", message, message_size);
            goto done;
        }
        for (hssize_t i = 0; i < points; i++) needed += (strings[i] ? strlen(strings[i]) : 0) + 1;
        if (needed <= capacity) {
            size_t at = 0;
            for (hssize_t i = 0; i < points; i++) {
                size_t length = strings[i] ? strlen(strings[i]) : 0;
                if (length) memcpy(buffer + at, strings[i], length);
                buffer[at + length] = '\0';
                at += length + 1;
            }
        }
        H5Dvlen_reclaim(memory, space, H5P_DEFAULT, strings);
        free(strings);
    } else {
        size_t size = H5Tget_size(type);
        char *raw = size ? calloc((size_t)points, size) : NULL;
        if (!raw || H5Aread(attribute, type, raw) < 0) {
            free(raw);
            status = fail(CH5_CORRUPT, "cannot read the attribute", message, message_size);
            goto done;
        }
        for (hssize_t i = 0; i < points; i++) needed += strnlen(raw + i * size, size) + 1;
        if (needed <= capacity) {
            size_t at = 0;
            for (hssize_t i = 0; i < points; i++) {
                size_t length = strnlen(raw + i * size, size);
                memcpy(buffer + at, raw + i * size, length);
                buffer[at + length] = '\0';
                at += length + 1;
            }
        }
        free(raw);
    }
    *used = needed;
    if (needed > capacity) {
        status = fail(CH5_SIZE_MISMATCH, "the attribute's strings do not fit", message,
                      message_size);
    } else {
        *count = (uint64_t)points;
    }
done:
    if (memory >= 0) H5Tclose(memory);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    return status;
}

int ch5_attribute_strings(ch5_file *file, const char *path, const char *name, char *buffer,
                          size_t capacity, uint64_t *count, size_t *used, char *message,
                          size_t message_size) {
    if (!file || !path || !name || !count || !used || (!buffer && capacity > 0)) {
        return fail(CH5_INVALID_ARGUMENT, "invalid arguments", message, message_size);
    }
    *count = 0;
    *used = 0;
    pthread_mutex_lock(&lock);
    int kind = CH5_KIND_NONE;
    int status = kind_unlocked(file, path, &kind, message, message_size);
    if (status == CH5_OK && kind == CH5_KIND_NONE) {
        status = fail(CH5_MISSING, "no such object", message, message_size);
    }
    if (status == CH5_OK) {
        htri_t exists = H5Aexists_by_name(file->id, path, name, H5P_DEFAULT);
        if (exists < 0) {
            status = fail(CH5_CORRUPT, "cannot look for the attribute", message, message_size);
        } else if (exists == 0) {
            status = fail(CH5_MISSING, "no such attribute", message, message_size);
        } else {
            hid_t attribute = H5Aopen_by_name(file->id, path, name, H5P_DEFAULT, H5P_DEFAULT);
            if (attribute < 0) {
                status = fail(CH5_CORRUPT, "cannot open the attribute", message, message_size);
            } else {
                status = read_strings(attribute, buffer, capacity, count, used, message,
                                      message_size);
                H5Aclose(attribute);
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return status;
}
