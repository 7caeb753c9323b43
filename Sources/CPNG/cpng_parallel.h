/* cpng_parallel.h: parallel filtering and deflating of PNG image data (see cpng_parallel.c). */
#ifndef CPNG_PARALLEL_H
#define CPNG_PARALLEL_H

#include <png.h>
#include "cpng.h"

/* Whether the request is large and simple enough for the parallel path. */
int cpng_parallel_applies(const cpng_write_request *request);

/* Writes the image data as IDAT chunks through png_write_chunk; reports failures with
 * png_error, so it must run under the caller's setjmp. */
void cpng_parallel_write_image_data(png_structp png, const cpng_write_request *request);

#endif
