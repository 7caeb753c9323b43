// OutputRange: how float results become 8- or 16-bit samples.

/// How a float result is brought into the `0...maxValue` range of PNG samples.
public enum OutputRange: String, Sendable, CaseIterable {
    /// Values below 0 become 0, above the maximum become the maximum (blurs, sharpening).
    case clamp
    /// The absolute value, then clamped (edge strength regardless of direction).
    case abs
    /// Min-max normalised to the full range, as matplotlib's `imshow` shows an edge map.
    case normalize
    /// Zero maps to mid-grey (128 or 32768), then clamped: signed responses stay readable.
    case offset

    /// The default a user expects: `normalize` when the result is an edge map (a zero-sum kernel
    /// somewhere in the chain, or a gradient magnitude), `clamp` otherwise.
    public static func automatic(kernelSteps: [[Kernel]], magnitude: Bool) -> OutputRange {
        let edgeMap = magnitude || kernelSteps.contains { step in step.allSatisfy(\.isZeroSum) }
        return edgeMap ? .normalize : .clamp
    }

    /// Maps `planes` (the colour channels, normalised together so colours keep their balance)
    /// to integer samples in `0...maxValue`, rounding to nearest, in the planes' own precision.
    package func map<Scalar>(_ planes: [Plane<Scalar>], maxValue: Int) -> [[Int]] {
        let mapping = self.mapping(for: planes, maxValue: maxValue)
        return planes.map { $0.values.map { mapping($0) } }
    }

    /// The value-to-sample function for `planes`, whose values are on the scale of samples up
    /// to `sourceMaxValue` (the input image's; `maxValue` when nil), into samples up to
    /// `maxValue`, computed in the planes' own precision (a float64 array's values need not fit
    /// Float32, and `normalize` must keep differences Float32 would round away). For
    /// `normalize` it holds their joint minimum and maximum; `clamp`, `abs` and `offset`
    /// rescale by `maxValue / sourceMaxValue`, so an 8-bit result written with 16 bits is
    /// multiplied by 257, as ``Image/converted(toBitDepth:)`` does.
    package func mapping<Scalar>(
        for planes: [Plane<Scalar>], maxValue: Int, from sourceMaxValue: Int? = nil
    ) -> SampleMapping<Scalar> {
        let top = Scalar(maxValue)
        let scale = top / Scalar(sourceMaxValue ?? maxValue)
        switch self {
        case .normalize:
            let (minimum, maximum) = Self.extremes(of: planes)
            return Self.normalizing(minimum: minimum, maximum: maximum, maxValue: maxValue)
        case .offset:
            return SampleMapping(
                low: 0, scale: scale, shift: Scalar((maxValue + 1) / 2), absolute: false, top: top)
        case .clamp:
            return SampleMapping(low: 0, scale: scale, shift: 0, absolute: false, top: top)
        case .abs:
            return SampleMapping(low: 0, scale: scale, shift: 0, absolute: true, top: top)
        }
    }
}

extension OutputRange {
    /// The joint minimum and maximum of the finite values of `planes` (`+inf`, `-inf` when none).
    public static func extremes<Scalar>(of planes: [Plane<Scalar>]) -> (
        minimum: Scalar, maximum: Scalar
    ) {
        var minimum = Scalar.infinity
        var maximum = -Scalar.infinity
        for plane in planes {
            for value in plane.values where value.isFinite {
                minimum = Swift.min(minimum, value)
                maximum = Swift.max(maximum, value)
            }
        }
        return (minimum, maximum)
    }

    /// `normalize` for a result whose finite values span `minimum...maximum` (known before the
    /// result is, as when a first pass over a streamed image found them). Values are first
    /// multiplied by a power of two, which is exact: 1, or 1/2 for a span wider than the largest
    /// finite value (from -3e38 to 3e38 in Float32), or about 1/span for a span so narrow that
    /// `top / span` overflows (values near 1e-36 in Float32), so that neither maps every value
    /// to 0.
    package static func normalizing<Scalar>(minimum: Scalar, maximum: Scalar, maxValue: Int)
        -> SampleMapping<Scalar>
    {
        let top = Scalar(maxValue)
        guard maximum > minimum else {
            return SampleMapping(low: 0, scale: 0, shift: 0, absolute: false, top: top)
        }
        let span = maximum - minimum
        // 2^-exponent(span), at most the largest power of two (a subnormal span's exponent
        // is below -maxExponent).
        let up = Scalar(
            sign: .plus,
            exponent: Swift.min(-span.exponent, Scalar.greatestFiniteMagnitude.exponent),
            significand: 1)
        let prescale: Scalar = !span.isFinite ? 0.5 : (top / span).isFinite ? 1 : up
        let low = minimum * prescale
        return SampleMapping(
            prescale: prescale, low: low, scale: top / (maximum * prescale - low), shift: 0,
            absolute: false, top: top)
    }
}

/// One output range made concrete, in the precision of the values it maps (Float for images
/// and float32 arrays, Double for float64 arrays):
/// `sample = clamp(round((v' * prescale - low) * scale + shift), 0, top)` with `v' = |v|` when
/// `absolute`; non-finite values become 0. `prescale` is 1 (exact) unless a normalised span
/// needs halving to stay finite.
package struct SampleMapping<Scalar: BinaryFloatingPoint & Sendable>: Sendable {
    var prescale: Scalar = 1
    let low: Scalar
    let scale: Scalar
    let shift: Scalar
    let absolute: Bool
    let top: Scalar

    /// Rounds half away from zero as `rounded()` does (``reference(_:)``), without a call to
    /// libm's roundf per sample: for `0 <= c <= top` (at most 65535) the truncation `Int(c)`
    /// and the fraction `c - Scalar(Int(c))` are exact. The half step is added without a branch
    /// (and cannot overflow): as a branch on the fraction, mispredicted about half the time on
    /// a photograph, this mapping took a fifth of a streamed RGB filter's CPU time.
    @inline(__always)
    package func callAsFunction(_ value: Scalar) -> Int {
        let v = ((absolute ? Swift.abs(value) : value) * prescale - low) * scale + shift
        guard v.isFinite else { return 0 }
        let clamped = Swift.min(Swift.max(v, 0), top)
        let whole = Int(clamped)
        return whole &+ (clamped - Scalar(whole) >= 0.5 ? 1 : 0)
    }

    /// The mapping as written: the reference ``callAsFunction(_:)`` is tested against.
    package func reference(_ value: Scalar) -> Int {
        let v = ((absolute ? Swift.abs(value) : value) * prescale - low) * scale + shift
        guard v.isFinite else { return 0 }
        return Int(Swift.min(Swift.max(v, 0), top).rounded())
    }
}

extension SampleMapping where Scalar == Float {
    /// ``callAsFunction(_:)`` on eight values at once, lane by lane the same result, for the
    /// loops that map whole rows. Without the scalar version's branch on finiteness (a lane that
    /// is not finite, where `v - v` is not 0, becomes 0 before the clamp) and with plain float
    /// arithmetic for the rounding (SIMD's generic float-to-integer conversions go lane by lane
    /// through the standard library), the lanes stay in vector registers: adding and
    /// subtracting 2^23 rounds `0 <= c <= 65535` to the nearest integer, ties to even, exactly;
    /// a tie left below is moved up (half away from zero), and the integer's bits are then
    /// those of `r + 2^23` less the exponent's.
    @inline(__always)
    package func callAsFunction(_ values: SIMD8<Float>) -> SIMD8<Int32> {
        let x = absolute ? values.replacing(with: -values, where: values .< 0) : values
        let v = (x * prescale - low) * scale + shift
        let finite = v.replacing(with: 0, where: .!(v - v .== 0))
        // Clamped by replacing (pointwiseMin and pointwiseMax were calls, not inlined).
        let above = finite.replacing(with: 0, where: finite .< 0)
        let clamped = above.replacing(with: top, where: above .> top)
        let magic = SIMD8<Float>(repeating: 0x1p23)
        let nearest = (clamped + magic) - magic
        let rounded = nearest.replacing(with: nearest + 1, where: clamped - nearest .== 0.5)
        return unsafeBitCast(rounded + magic, to: SIMD8<Int32>.self) &- 0x4B00_0000
    }
}
