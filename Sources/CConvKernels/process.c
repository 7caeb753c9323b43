// process.c: process-wide settings of the C libraries convkit runs on: glibc's allocator, and
// OpenBLAS's idle worker threads.

#define _GNU_SOURCE
#include "cconvkernels.h"

#include <stdlib.h>  // defines __GLIBC__ on glibc, for the tests below

#if defined(__GLIBC__)
#include <dlfcn.h>
#include <malloc.h>
#endif

void ck_keep_freed_buffers(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
#endif
}

int ck_stop_blas_threads(void) {
#if defined(__GLIBC__)
    // blas_thread_shutdown_ is what OpenBLAS itself calls before a fork; it is exported but not
    // declared in cblas.h.
    int (*shutdown)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "blas_thread_shutdown_");
    if (shutdown != NULL) {
        shutdown();
        return 1;
    }
#endif
    return 0;
}
