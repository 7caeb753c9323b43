// FFTWPlans: FFTW single-precision plans, made once per tile shape under a lock and then shared.

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
struct TileShape: Hashable, Sendable {
    let rows: Int
    let columns: Int
}

enum FFTWPlans {
    /// FFTW's `FFTW_ESTIMATE`: plans in microseconds from heuristics, without timing runs.
    private static let estimate: UInt32 = 1 << 6
    private static let cache = Mutex<[TileShape: FFTWPlanPair]>([:])

    /// The forward (r2c) and inverse (c2r) plans for `shape`, made on first use; nil if FFTW
    /// cannot allocate or plan.
    static func plans(for shape: TileShape) -> FFTWPlanPair? {
        cache.withLock { plans in
            if let existing = plans[shape] { return existing }
            let complexCount = shape.rows * (shape.columns / 2 + 1)
            guard let real = fftwf_alloc_real(shape.rows * shape.columns) else { return nil }
            defer { fftwf_free(real) }
            guard let spectrum = fftwf_alloc_complex(complexCount) else { return nil }
            defer { fftwf_free(spectrum) }
            guard
                let forward = fftwf_plan_dft_r2c_2d(
                    Int32(shape.rows), Int32(shape.columns), real, spectrum, estimate),
                let inverse = fftwf_plan_dft_c2r_2d(
                    Int32(shape.rows), Int32(shape.columns), spectrum, real, estimate)
            else {
                return nil
            }
            let pair = FFTWPlanPair(forward: forward, inverse: inverse)
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
