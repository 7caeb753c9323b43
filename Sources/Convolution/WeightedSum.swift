// WeightedSum: the SIMD inner loop shared by the direct and separable paths.

/// out[x] = sum over taps t of weights[t] * sources[t][x], for x in 0..<count, eight to thirty-two
/// lanes at a time with the accumulators in registers. Each source pointer already points at the
/// tap's first input, so one loop serves 2-D kernels, row passes and column passes.
@inline(__always)
func weightedSum(
    sources: UnsafePointer<UnsafePointer<Float>>, weights: UnsafePointer<Float>, taps: Int,
    count: Int, into output: UnsafeMutablePointer<Float>
) {
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
    while x + 16 <= count {
        var sum0 = SIMD8<Float>(repeating: 0)
        var sum1 = SIMD8<Float>(repeating: 0)
        for t in 0..<taps {
            let weight = weights[t]
            let p = UnsafeRawPointer(sources[t] + x)
            sum0 += p.loadUnaligned(as: SIMD8<Float>.self) * weight
            sum1 += p.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) * weight
        }
        UnsafeMutableRawPointer(output + x).storeBytes(of: sum0, as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(output + x + 8).storeBytes(of: sum1, as: SIMD8<Float>.self)
        x += 16
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

/// Copies every `stride`-th value of `dense` into `output` (`count` values).
@inline(__always)
func subsample(
    _ dense: UnsafePointer<Float>, stride: Int, count: Int, into output: UnsafeMutablePointer<Float>
) {
    for i in 0..<count { output[i] = dense[i * stride] }
}
