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
    /// to integer samples in `0...maxValue`, rounding to nearest.
    public func map(_ planes: [Plane<Float>], maxValue: Int) -> [[Int]] {
        let top = Float(maxValue)
        var low: Float = 0, scale: Float = 1, shift: Float = 0
        switch self {
        case .normalize:
            var minimum = Float.infinity, maximum = -Float.infinity
            for plane in planes {
                for value in plane.values where value.isFinite {
                    minimum = Swift.min(minimum, value)
                    maximum = Swift.max(maximum, value)
                }
            }
            if maximum > minimum {
                low = minimum
                scale = top / (maximum - minimum)
            } else {
                scale = 0
            }
        case .offset:
            shift = Float((maxValue + 1) / 2)
        case .clamp, .abs:
            break
        }
        let absolute = self == .abs
        return planes.map { plane in
            plane.values.map { value in
                var v = absolute ? Swift.abs(value) : value
                v = (v - low) * scale + shift
                guard v.isFinite else { return 0 }
                return Int(Swift.min(Swift.max(v, 0), top).rounded())
            }
        }
    }
}
