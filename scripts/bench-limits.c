// bench-limits.c: this machine's limits that bound convkit's kernels, for the "what bounds it"
// figures of the benchmarks: the peak float32 multiply-add rate of one core and of all cores
// (AVX-512, else AVX2), and the time to write a computed 4 MiB and 64 MiB result with plain
// and with non-temporal stores, into memory already mapped and into freshly mapped pages
// (mapped and zeroed with MADV_POPULATE_WRITE, as a new result array is), next to memcpy.
//
//   cc -O2 -pthread scripts/bench-limits.c -o /tmp/bench-limits && /tmp/bench-limits
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

enum { CHAINS = 12, STEPS = 100000000 };
static volatile float sink;

// CHAINS independent multiply-add chains, enough to keep both FMA units busy.
__attribute__((target("avx512f"))) static void *fma512(void *unused) {
    (void)unused;
    __m512 a[CHAINS], b = _mm512_set1_ps(1.0000001f), c = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) a[i] = _mm512_set1_ps((float)i);
    for (long k = 0; k < STEPS; k++) {
#pragma GCC unroll 12
        for (int i = 0; i < CHAINS; i++) a[i] = _mm512_fmadd_ps(a[i], b, c);
    }
    for (int i = 1; i < CHAINS; i++) a[0] = _mm512_add_ps(a[0], a[i]);
    sink = _mm512_reduce_add_ps(a[0]);
    return NULL;
}

__attribute__((target("avx2,fma"))) static void *fma256(void *unused) {
    (void)unused;
    __m256 a[CHAINS], b = _mm256_set1_ps(1.0000001f), c = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) a[i] = _mm256_set1_ps((float)i);
    for (long k = 0; k < STEPS; k++) {
#pragma GCC unroll 12
        for (int i = 0; i < CHAINS; i++) a[i] = _mm256_fmadd_ps(a[i], b, c);
    }
    float out[8];
    for (int i = 1; i < CHAINS; i++) a[0] = _mm256_add_ps(a[0], a[i]);
    _mm256_storeu_ps(out, a[0]);
    sink = out[0];
    return NULL;
}

static void peak(int threads, int wide) {
    pthread_t workers[64];
    double start = seconds();
    for (int i = 0; i < threads; i++) pthread_create(&workers[i], NULL, wide ? fma512 : fma256, NULL);
    for (int i = 0; i < threads; i++) pthread_join(workers[i], NULL);
    double flops = 2.0 * (wide ? 16 : 8) * CHAINS * (double)STEPS * threads;
    printf("peak multiply-add, %s, %d thread(s): %.0f GFLOP/s\n", wide ? "AVX-512" : "AVX2", threads,
           flops / (seconds() - start) / 1e9);
}

__attribute__((target("avx2"))) static void plain(const float *from, float *to, long count) {
    __m256 two = _mm256_set1_ps(2);
    for (long i = 0; i < count; i += 8) _mm256_storeu_ps(to + i, _mm256_mul_ps(_mm256_loadu_ps(from + i), two));
}

__attribute__((target("avx2"))) static void streaming(const float *from, float *to, long count) {
    __m256 two = _mm256_set1_ps(2);
    for (long i = 0; i < count; i += 8) _mm256_stream_ps(to + i, _mm256_mul_ps(_mm256_loadu_ps(from + i), two));
    _mm_sfence();
}

// Best of `runs` of from[i] * 2 into `count` floats, by `kind`: 0 plain stores, 1 non-temporal,
// 2 memcpy (no multiply); `fresh` maps and zeroes new pages inside each timed run.
static double stores(const float *from, float *mapped, long count, int kind, int fresh, int runs) {
    const size_t huge = 2 << 20, bytes = (size_t)count * sizeof(float);
    double best = 1e9;
    for (int r = 0; r < runs; r++) {
        char *region = NULL;
        float *to = mapped;
        double start = seconds();
        if (fresh) {
            region = mmap(NULL, bytes + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (region == MAP_FAILED) return -1;
            to = (float *)(((size_t)region + huge - 1) & ~(huge - 1));
            madvise(to, bytes, MADV_HUGEPAGE);
            madvise(to, bytes, MADV_POPULATE_WRITE);
        }
        if (kind == 0) plain(from, to, count);
        else if (kind == 1) streaming(from, to, count);
        else memcpy(to, from, bytes);
        double elapsed = seconds() - start;
        if (elapsed < best) best = elapsed;
        if (fresh) munmap(region, bytes + huge);
    }
    return best * 1e3;
}

int main(void) {
    __builtin_cpu_init();
    int wide = __builtin_cpu_supports("avx512f");
    if (!wide && !__builtin_cpu_supports("fma")) {
        puts("no AVX2 + FMA: nothing to measure");
        return 0;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    peak(1, wide);
    if (cores > 1) peak((int)cores, wide);
    for (long mib = 4; mib <= 64; mib *= 16) {
        long count = mib << 18;
        float *from = aligned_alloc(64, count * sizeof(float)), *to = aligned_alloc(64, count * sizeof(float));
        if (from == NULL || to == NULL) return 1;
        for (long i = 0; i < count; i++) from[i] = (float)i;
        memset(to, 0, count * sizeof(float));
        for (int fresh = 0; fresh <= 1; fresh++) {
            printf("%2ld MiB result, %s: plain %.3f ms, non-temporal %.3f ms, memcpy %.3f ms (best of 30)\n", mib,
                   fresh ? "fresh pages " : "mapped pages", stores(from, to, count, 0, fresh, 30),
                   stores(from, to, count, 1, fresh, 30), stores(from, to, count, 2, fresh, 30));
        }
        free(from);
        free(to);
    }
    return 0;
}
