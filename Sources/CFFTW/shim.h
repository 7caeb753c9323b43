#include <fftw3.h>

/// FFTW's version text (`fftwf_version` is an array of unknown size, which Swift cannot import).
static inline const char *fftwf_version_string(void) { return fftwf_version; }
