// ImageFiltering: the one-call filter, `image.filtered(by: .named("scharr-x"))`, with the
// command line's defaults.

import ImageIO

extension ImageFilter {
    /// A filter of the kernel, or kernel set, that `spec` names.
    ///
    /// `spec` is anything ``KernelLibrary/resolve(_:)`` reads: a named kernel (`"scharr-x"`,
    /// `"gaussian5"`), a family with parameters (`"gaussian:7,1.5"`), an inline matrix
    /// (`"[1 0 -1; 2 0 -2; 1 0 -1]"`) or a kernel file. A set such as `"kirsch"` combines its
    /// members by the per-pixel maximum.
    ///
    /// The default options are those of `convkit filter`: true convolution (the kernel
    /// flipped, as `scipy.signal.convolve2d`), `same` mode (the output has the input's size),
    /// zero padding outside the image, stride and dilation 1.
    ///
    /// - Throws: ``KernelError`` for a name that does not resolve, with the closest names.
    public static func named(
        _ spec: String, options: ConvolutionOptions = ConvolutionOptions()
    ) throws -> ImageFilter {
        ImageFilter(steps: [try KernelLibrary.resolve(spec)], options: options)
    }
}

extension Image {
    /// The image filtered by `filter`, as an image of the same bit depth and channels.
    ///
    /// ```swift
    /// let edges = try image.filtered(by: .named("scharr-x"))
    /// ```
    ///
    /// Every colour channel is filtered in Float32; alpha follows the filter's
    /// ``ImageFilter/alpha`` rule. The float results become samples by `range`; without one,
    /// as `convkit filter` does, an edge map (any zero-sum kernel, or a gradient magnitude) is
    /// min-max normalised to the full sample range and anything else (blurs, sharpening) is
    /// clamped. See ``OutputRange/automatic(kernelSteps:magnitude:)``.
    ///
    /// - Throws: ``ConvolutionError`` when the options cannot apply to this image, and
    ///   ``ConvolutionError/tooLarge(_:)`` when the result overflows Float32 (inf or NaN), so
    ///   no wrong image is ever returned.
    public func filtered(by filter: ImageFilter, range: OutputRange? = nil) throws -> Image {
        let result = try filter.apply(to: self)
        if let bad = result.firstNonFinite {
            let cause =
                filter.overflowCause(
                    largestInput: Double(maxSampleValue),
                    limit: Double(Float.greatestFiniteMagnitude)) ?? "the arithmetic overflowed"
            throw ConvolutionError.tooLarge(
                "the result is not finite (inf or NaN at x \(bad.x), y \(bad.y)): \(cause)")
        }
        let outputRange =
            range ?? OutputRange.automatic(kernelSteps: filter.steps, magnitude: filter.magnitude)
        return try result.image(range: outputRange)
    }
}
