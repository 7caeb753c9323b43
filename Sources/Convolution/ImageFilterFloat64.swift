// ImageFilterFloat64: --float64 from end to end, for .npy output that keeps every bit of the
// reference loops' result.

import ImageIO

extension ImageFilter {
    /// ``apply(to:)`` in Float64 throughout: the reference loops, and premultiplied alpha
    /// multiplied and divided in Double, so the result is the one scipy computes in float64.
    /// The planes are the colour channels, then alpha.
    public func applyInFloat64(to image: Image) throws -> FilteredArray {
        let maxValue = Double(image.maxSampleValue)
        var planes = ImagePlanes.split(image).map(Self.widened)
        var alpha = image.hasAlpha ? planes.removeLast() : nil
        let policy = effectiveAlpha
        if policy == .premultiply, let alpha {
            planes = planes.map { premultiplied($0, by: alpha, maxValue: maxValue) }
        }
        var colour = try planes.map { try run($0, convolve: referenceFloat64) }
        if let original = alpha {
            switch policy {
            case .premultiply:
                let filtered = try run(original, convolve: referenceFloat64)
                colour = colour.map { unpremultiplied($0, by: filtered, maxValue: maxValue) }
                alpha = filtered
            case .filter, .auto:
                alpha = try run(original, convolve: referenceFloat64)
            case .pass:
                // Alpha samples are integers below 2^24, which the moves pass on exactly.
                let moved = try passThrough(
                    Plane(
                        unchecked: original.rows, columns: original.columns,
                        values: original.values.map(Float.init)))
                alpha = Self.widened(moved)
            }
        }
        return FilteredArray(planes: .float64(colour + (alpha.map { [$0] } ?? [])))
    }

    /// One kernel by the Float64 reference loops.
    func referenceFloat64(_ kernel: Kernel, _ plane: Plane<Double>) throws -> Plane<Double> {
        try ReferenceConvolution.apply(kernel, to: plane, options: options)
    }

    static func widened(_ plane: Plane<Float>) -> Plane<Double> {
        Plane(unchecked: plane.rows, columns: plane.columns, values: plane.values.map(Double.init))
    }
}
