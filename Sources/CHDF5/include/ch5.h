/* ch5: the only code in convkit that calls libhdf5.
 *
 * Reads HDF5 files from memory (a .weights.h5 file, or the one inside a .keras archive): which
 * objects exist, the shape of a dataset, and a dataset's values as float32. libhdf5's serial
 * build is not thread-safe and prints its error stack by default, so every function here takes
 * one lock, silences that printing, and turns a failure into a status code and a one-line
 * message (the innermost description on libhdf5's error stack). */
#ifndef CH5_H
#define CH5_H

#include <stddef.h>
#include <stdint.h>

/* Status codes, one per kind of failure the Swift side names in words. */
enum ch5_status {
    CH5_OK = 0,
    CH5_NOT_HDF5 = 1,        /* no HDF5 signature, or libhdf5 cannot open the image */
    CH5_MISSING = 2,         /* no object at the path */
    CH5_WRONG_KIND = 3,      /* the object is a group where a dataset is needed, or the reverse */
    CH5_UNSUPPORTED = 4,     /* a dataset that is not a floating-point array of rank <= 8 */
    CH5_SIZE_MISMATCH = 5,   /* the caller's buffer does not match the dataset's element count */
    CH5_CORRUPT = 6,         /* libhdf5 failed while reading */
    CH5_INVALID_ARGUMENT = 7
};

/* The kinds of object ch5_kind reports. */
enum ch5_kind { CH5_KIND_NONE = 0, CH5_KIND_GROUP = 1, CH5_KIND_DATASET = 2, CH5_KIND_OTHER = 3 };

/* The most axes a dataset may have. */
#define CH5_MAX_RANK 8

/* An open HDF5 file image. */
typedef struct ch5_file ch5_file;

/* Opens the HDF5 file held in `data` (copied; the caller may free it afterwards). */
int ch5_open_image(const uint8_t *data, size_t length, ch5_file **out, char *message,
                   size_t message_size);

void ch5_close(ch5_file *file);

/* What is at `path` ("/" is the root group): one of enum ch5_kind. Each component of the path
 * is checked in turn, so a missing parent gives CH5_KIND_NONE rather than an error. */
int ch5_kind(ch5_file *file, const char *path, int *kind, char *message, size_t message_size);

/* The number of links in the group at `path`. */
int ch5_group_size(ch5_file *file, const char *path, uint64_t *count, char *message,
                   size_t message_size);

/* The name of link `index` (in increasing name order) of the group at `path`, NUL-terminated
 * in `name`; a name that does not fit in `capacity` bytes is CH5_UNSUPPORTED. */
int ch5_child_name(ch5_file *file, const char *path, uint64_t index, char *name, size_t capacity,
                   char *message, size_t message_size);

/* The shape of the dataset at `path`: `*rank` axes in `dims` (outermost first). Datasets that
 * are not IEEE floating point (integers, strings, compounds) are CH5_UNSUPPORTED. */
int ch5_dataset_shape(ch5_file *file, const char *path, int *rank, uint64_t dims[CH5_MAX_RANK],
                      char *message, size_t message_size);

/* Reads the floating-point dataset at `path`, converted to float32 by libhdf5, into `values`,
 * which holds exactly `count` floats (CH5_SIZE_MISMATCH otherwise). */
int ch5_read_float32(ch5_file *file, const char *path, float *values, uint64_t count,
                     char *message, size_t message_size);

/* The strings of the attribute `name` of the object at `path` (a scalar string or a 1-D array
 * of them, fixed-length or variable-length, as h5py writes Keras' `model_config`, `layer_names`
 * and `weight_names`), written into `buffer` one after another, each ended by a NUL; `*count`
 * strings, `*used` bytes. An empty array of another type is no strings. CH5_MISSING when there
 * is no such attribute; CH5_SIZE_MISMATCH when `capacity` is too small (`*used` then says how
 * much is needed); CH5_UNSUPPORTED for an attribute that holds other values. */
int ch5_attribute_strings(ch5_file *file, const char *path, const char *name, char *buffer,
                          size_t capacity, uint64_t *count, size_t *used, char *message,
                          size_t message_size);

#endif
