// BLASCore: which of OpenBLAS's kernel sets suits this processor when OpenBLAS chose an older one,
// and OpenBLAS on the calling thread only.

import CConvKernels
import COpenBLAS
import Foundation

/// OpenBLAS's kernel set, as it chose it when it loaded.
///
/// OpenBLAS picks its kernels from the processor's model number. OpenBLAS 0.3.21 (Debian 12)
/// does not know some current Xeons, which name themselves only "Intel(R) Xeon(R) Processor",
/// and falls back to its Prescott (SSE3) kernels although the processor has AVX2 and AVX-512.
/// Measured on such a machine, a 30-batch training run of the tutorial network on 2 threads
/// took 5.39 s of CPU with the Prescott kernels, 3.27 s with Haswell's and 2.64 s with
/// SkylakeX's, with the same losses to about 1e-6. OpenBLAS reads `OPENBLAS_CORETYPE` only as it
/// loads, so a program that wants the better kernels sets it and starts again (the `convkit`
/// command does this for the subcommands that train or run a model).
public enum BLASCore {
    /// The kernel set OpenBLAS chose (such as "Prescott" or "Haswell").
    public static var current: String {
        openblas_get_corename().map { String(cString: $0) } ?? "unknown"
    }

    /// The value of `OPENBLAS_CORETYPE` that gives this processor faster kernels than OpenBLAS
    /// chose, or nil when its choice is right or the variable is already set.
    public static var better: String? {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil else { return nil }
        let beforeAVX2: Set = [
            "prescott", "core2", "penryn", "dunnington", "nehalem", "sandybridge",
        ]
        guard beforeAVX2.contains(current.lowercased()) else { return nil }
        if ck_has_avx512_skylake() != 0 { return "SkylakeX" }
        if ck_has_avx2_fma() != 0 { return "Haswell" }
        return nil
    }

    /// Has OpenBLAS run every product on the thread that calls it, and stops the worker threads
    /// it started as it loaded. convkit's layers split a batch over convkit's own threads, which
    /// keeps each thread's matrices in cache, so OpenBLAS's pool is never used; yet its workers
    /// spin in `sched_yield` for about 2^28 cycles before they sleep, in every process that
    /// links OpenBLAS, whether it multiplies matrices or not. Measured here: 0.10 s of system
    /// time in each process (0.12-0.18 s against 0.05-0.08 s for `convkit filter` on a 4096x4096
    /// PNG), a core taken from the work for its first 0.1 s. Safe to call more than once;
    /// nothing may set OpenBLAS's thread count after it, which would start the pool again.
    public static func runOnCallingThread() {
        if openblas_get_num_threads() > 1 { openblas_set_num_threads(1) }
        ck_stop_blas_threads()
    }
}
