// FFTWPlans: FFTW single-precision plans, made once per tile shape under a lock and then shared;
// large tiles get measured plans, remembered on disk (FFTWWisdom).

import CFFTW
import Synchronization

/// A pair of 2-D real transforms for one tile shape. FFTW's planner is not thread-safe, so plans
/// are made under a lock; executing a plan on other (equally aligned) arrays with the
/// `fftwf_execute_dft_*` functions is thread-safe, which is how the workers share them.
struct FFTWPlanPair: @unchecked Sendable {
    let forward: OpaquePointer
    let inverse: OpaquePointer
}

/// A tile shape: rows x columns of the real array.
package struct TileShape: Hashable, Sendable {
    package let rows: Int
    package let columns: Int
}

enum FFTWPlans {
    /// FFTW's `FFTW_ESTIMATE`: plans in microseconds from heuristics, without timing runs.
    private static let estimate: UInt32 = 1 << 6
    /// FFTW's `FFTW_MEASURE` (0): plans chosen by timing candidates, in seconds.
    private static let measure: UInt32 = 0
    /// FFTW's `FFTW_WISDOM_ONLY`: a plan only if wisdom already has one.
    private static let wisdomOnly: UInt32 = 1 << 21
    /// Tiles of at least this many values get measured plans. `FFTW_MEASURE` on this machine
    /// (r2c + c2r, best of 10, loaded): 512x512 1.20 ms against ESTIMATE's 1.39 (1.97 in an
    /// earlier run), 512x560 1.37 against 1.80, 512x540 1.33 against 2.00, 256x256 0.23
    /// against 0.31; each measurement takes 1-2.5 s, once per shape and machine.
    static let measuredValues = 128 * 128
    /// The longest FFTW may spend measuring one plan, in seconds.
    private static let measuringSeconds = 2.0
    private static let cache = Mutex<[TileShape: FFTWPlanPair]>([:])
    /// Whether the wisdom file has been read in this process.
    nonisolated(unsafe) private static var wisdomRead = false

    /// The forward (r2c) and inverse (c2r) plans for `shape`, made on first use; nil if FFTW
    /// cannot allocate or plan. Shapes of ``measuredValues`` or more are measured (or taken from
    /// the wisdom file) when there is a wisdom file to keep them in; other shapes, and every
    /// shape when the file is turned off, are estimated.
    static func plans(for shape: TileShape) -> FFTWPlanPair? {
        cache.withLock { plans in
            if let existing = plans[shape] { return existing }
            let complexCount = shape.rows * (shape.columns / 2 + 1)
            guard let real = fftwf_alloc_real(shape.rows * shape.columns) else { return nil }
            defer { fftwf_free(real) }
            guard let spectrum = fftwf_alloc_complex(complexCount) else { return nil }
            defer { fftwf_free(spectrum) }
            let measured = shape.rows * shape.columns >= measuredValues
            let wisdomFile = measured ? FFTWWisdom.path : nil
            if let wisdomFile, !wisdomRead {
                wisdomRead = true
                FFTWWisdom.load(from: wisdomFile)
            }
            func plan(_ flags: UInt32) -> FFTWPlanPair? {
                guard
                    let forward = fftwf_plan_dft_r2c_2d(
                        Int32(shape.rows), Int32(shape.columns), real, spectrum, flags)
                else { return nil }
                guard
                    let inverse = fftwf_plan_dft_c2r_2d(
                        Int32(shape.rows), Int32(shape.columns), spectrum, real, flags)
                else {
                    fftwf_destroy_plan(forward)
                    return nil
                }
                return FFTWPlanPair(forward: forward, inverse: inverse)
            }
            // Measuring costs seconds, so it is done only when the result can be kept on disk.
            var made = wisdomFile != nil ? plan(measure | wisdomOnly) : nil
            if made == nil, wisdomFile != nil {
                fftwf_set_timelimit(measuringSeconds)
                made = plan(measure)
                if made != nil, let wisdomFile { FFTWWisdom.save(to: wisdomFile) }
            }
            guard let pair = made ?? plan(estimate) else { return nil }
            plans[shape] = pair
            return pair
        }
    }

    /// The smallest size at least `n` whose only prime factors are 2, 3, 5 and 7 (sizes FFTW
    /// transforms fastest).
    static func goodSize(_ n: Int) -> Int {
        var candidate = max(1, n)
        while true {
            var rest = candidate
            for factor in [2, 3, 5, 7] { while rest % factor == 0 { rest /= factor } }
            if rest == 1 { return candidate }
            candidate += 1
        }
    }
}
