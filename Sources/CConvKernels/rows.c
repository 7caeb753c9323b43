// rows.c: Convolution's row helpers: the 8-bit row widening, the step that lets the engine
// convolve an 8-bit image channel band by band without first converting the whole image to
// floats, and the finiteness check that lets the direct path skip zero-weight taps.
//
// Plain C, which the compiler vectorises for the build's baseline instruction set; every
// 8-bit value is exactly a float, so there is nothing to round and no twin to keep in step.

#include "cconvkernels.h"

#include <string.h>

void ck_widen_u8(const unsigned char *samples, ptrdiff_t stride, ptrdiff_t count, float *output) {
    if (stride == 1) {
        for (ptrdiff_t x = 0; x < count; x++) output[x] = (float)samples[x];
        return;
    }
    for (ptrdiff_t x = 0; x < count; x++) output[x] = (float)samples[x * stride];
}

int ck_all_finite(const float *values, ptrdiff_t count) {
    // The exponent bits all set is inf or NaN; or-ing the test over the row keeps the loop
    // branch-free, so it vectorises.
    unsigned int bad = 0;
    for (ptrdiff_t x = 0; x < count; x++) {
        unsigned int bits;
        memcpy(&bits, values + x, sizeof bits);
        bad |= (bits & 0x7f800000u) == 0x7f800000u;
    }
    return !bad;
}
