/* shim.h: libFuzzer's driver, linked into a binary by -sanitize=fuzzer (nothing to link otherwise). */
#include <stddef.h>
#include <stdint.h>

/* Parses libFuzzer's command-line flags and runs the fuzzing loop (or the given inputs) with
 * `callback` as the target; returns the process exit status. */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
