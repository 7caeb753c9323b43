// pooling.c: the step of LearnedFilters' max pooling over windows that overlap or cross padding
// (MaxPoolKernels), one window cell at a time across a pixel's channels.
//
// Plain C, which the compiler vectorises into compares and blends (restrict tells it the three
// rows do not overlap); on x86-64 it is built for AVX-512, AVX2 and the baseline, and the
// loader picks the widest the processor has. The same loop in Swift compiled to a compare and
// a branch per channel. Only compares and selects: every build gives the same bits.

#include "cconvkernels.h"

#if defined(__x86_64__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void ck_pool_keep_greater(const float *restrict cell, float *restrict best, float *restrict index,
                          float position, int channels) {
    for (int c = 0; c < channels; c++) {
        int greater = cell[c] > best[c];
        best[c] = greater ? cell[c] : best[c];
        index[c] = greater ? position : index[c];
    }
}
