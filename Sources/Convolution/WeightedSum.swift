// WeightedSum: the SIMD inner loop shared by the direct and separable paths, and its fused twin.

import CConvKernels

/// out[x] = sum over taps t of weights[t] * sources[t][x], for x in 0..<count, the taps added in
/// order from zero. Each source pointer already points at the tap's first input, so one loop
/// serves 2-D kernels, row passes and column passes. With `fused` (``FusedSums/active``) it is
/// CConvKernels' loop, one fused multiply-add per tap on ``FusedSums/lanes`` lanes (16 with
/// AVX-512, else 8 with AVX2), rounding once per tap; otherwise these portable loops, a
/// multiply and an add per tap, thirty-two to eight lanes at a time with the accumulators in
/// registers.
@inline(__always)
func weightedSum(
    sources: UnsafePointer<UnsafePointer<Float>>, weights: UnsafePointer<Float>, taps: Int,
    count: Int, into output: UnsafeMutablePointer<Float>, fused: Bool
) {
    if fused {
        sources.withMemoryRebound(to: UnsafePointer<Float>?.self, capacity: taps) { pointers in
            ck_weighted_sum(pointers, weights, Int32(taps), count, output, FusedSums.lanes)
        }
        return
    }
    var x = 0
    while x + 32 <= count {
        var sum0 = SIMD8<Float>(repeating: 0)
        var sum1 = SIMD8<Float>(repeating: 0)
        var sum2 = SIMD8<Float>(repeating: 0)
        var sum3 = SIMD8<Float>(repeating: 0)
        for t in 0..<taps {
            let weight = weights[t]
            let p = UnsafeRawPointer(sources[t] + x)
            sum0 += p.loadUnaligned(as: SIMD8<Float>.self) * weight
            sum1 += p.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) * weight
            sum2 += p.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self) * weight
            sum3 += p.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self) * weight
        }
        let out = UnsafeMutableRawPointer(output + x)
        out.storeBytes(of: sum0, as: SIMD8<Float>.self)
        out.storeBytes(of: sum1, toByteOffset: 32, as: SIMD8<Float>.self)
        out.storeBytes(of: sum2, toByteOffset: 64, as: SIMD8<Float>.self)
        out.storeBytes(of: sum3, toByteOffset: 96, as: SIMD8<Float>.self)
        x += 32
    }
    while x + 8 <= count {
        var sum = SIMD8<Float>(repeating: 0)
        for t in 0..<taps {
            sum +=
                UnsafeRawPointer(sources[t] + x).loadUnaligned(as: SIMD8<Float>.self) * weights[t]
        }
        UnsafeMutableRawPointer(output + x).storeBytes(of: sum, as: SIMD8<Float>.self)
        x += 8
    }
    while x < count {
        var sum: Float = 0
        for t in 0..<taps { sum += sources[t][x] * weights[t] }
        output[x] = sum
        x += 1
    }
}

/// Whether the fast paths use CConvKernels' AVX2 + FMA weighted sum: on x86-64 processors with
/// AVX2 and FMA, unless a test turns it off to hold the portable loops to the reference too.
/// A fused multiply-add rounds once where the portable loops round twice, so the two differ in
/// the last bits; both are tested against scipy and the Float64 reference.
package enum FusedSums {
    /// Whether this processor has the fused loop.
    static let supported = ck_has_avx2_fma() != 0

    /// The fused loop's lane counts this processor runs: 8 with AVX2 and FMA, and 16 with
    /// AVX-512; none without.
    package static let lanesSupported: [Int32] =
        !supported ? [] : SeparableConvolution.registersSupported ? [8, 16] : [8]

    /// The lanes the fused loop runs on here, the most this processor has (the same bits
    /// either way). Sixteen halve the instructions; `convkit bench crossover --size 1024
    /// --repeat 31 --threads 1`, direct ms on 8 / 16 lanes, two runs each: 3x3 0.49-0.53 /
    /// 0.44, 5x5 1.26 / 0.92-0.97, 9x9 4.40-4.47 / 3.12-3.20, random 11x11 7.2-7.6 / 5.0.
    static let lanes = lanesSupported.last ?? 8

    /// Cleared (with `$allowed.withValue(false)`) to run the portable loops on a processor
    /// that has the fused one.
    @TaskLocal package static var allowed = true

    /// Whether a convolution that starts now uses the fused loop; read once per convolution,
    /// on its calling thread (worker threads do not see task-local values).
    static var active: Bool { supported && allowed }
}

/// Copies every `stride`-th value of `dense` into `output` (`count` values).
@inline(__always)
func subsample(
    _ dense: UnsafePointer<Float>, stride: Int, count: Int, into output: UnsafeMutablePointer<Float>
) {
    for i in 0..<count { output[i] = dense[i * stride] }
}
