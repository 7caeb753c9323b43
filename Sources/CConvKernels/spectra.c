// spectra.c: Convolution's FFT spectrum product, the one step of the FFT path between FFTW's
// forward and inverse transforms.
//
// Complex values are interleaved (re, im) floats. With AVX2 (chosen at run time through
// ck_has_avx2_fma) four values per register: the parts are paired up with shuffles and each
// result is formed as in the plain loop, a*c + b*d and b*c - a*d, two rounded products and a
// rounded sum (no contraction), so both loops give the same bits as Convolution's Swift
// reference loop, which a test holds them to.

#include "cconvkernels.h"

#pragma STDC FP_CONTRACT OFF

static void multiply_plain(float *spectrum, const float *kernel, ptrdiff_t count) {
    for (ptrdiff_t i = 0; i < count; i++) {
        float a = spectrum[2 * i], b = spectrum[2 * i + 1];
        float c = kernel[2 * i], d = kernel[2 * i + 1];
        spectrum[2 * i] = a * c + b * d;
        spectrum[2 * i + 1] = b * c - a * d;
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2,fma"))) static void multiply_avx2(float *spectrum, const float *kernel,
                                                                ptrdiff_t count) {
    ptrdiff_t i = 0;
    for (; i + 4 <= count; i += 4) {
        __m256 s = _mm256_loadu_ps(spectrum + 2 * i);
        __m256 k = _mm256_loadu_ps(kernel + 2 * i);
        __m256 a = _mm256_moveldup_ps(s);  // a a
        __m256 b = _mm256_movehdup_ps(s);  // b b
        __m256 kswap = _mm256_permute_ps(k, 0xB1);  // d c
        // even lanes: a*c + b*d; odd lanes: b*c - a*d = -(a*d - b*c)
        __m256 bk = _mm256_mul_ps(b, kswap);  // b*d, b*c
        __m256 signs = _mm256_setr_ps(1, -1, 1, -1, 1, -1, 1, -1);
        __m256 ak = _mm256_mul_ps(a, _mm256_mul_ps(k, signs));  // a*c, -a*d (exact sign flip)
        _mm256_storeu_ps(spectrum + 2 * i, _mm256_add_ps(ak, bk));
    }
    multiply_plain(spectrum + 2 * i, kernel + 2 * i, count - i);
}
#endif

void ck_multiply_conjugate(float *spectrum, const float *kernel, ptrdiff_t count) {
#if defined(__x86_64__)
    if (ck_has_avx2_fma()) {
        multiply_avx2(spectrum, kernel, count);
        return;
    }
#endif
    multiply_plain(spectrum, kernel, count);
}
