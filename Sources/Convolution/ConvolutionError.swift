// ConvolutionError: convolution arguments that cannot work together, in words.

/// Why a convolution cannot be computed with the given image, kernel and options.
public enum ConvolutionError: Error, Equatable, CustomStringConvertible {
    /// Stride must be at least 1 on each axis.
    case invalidStride(AxisPair)
    /// Dilation must be at least 1 on each axis.
    case invalidDilation(AxisPair)
    /// Padding cannot be negative.
    case negativePadding(Padding)
    /// The (dilated) kernel does not fit in the padded image, so there is no output.
    case kernelLargerThanImage(
        kernel: String, span: AxisPair, image: AxisPair, mode: ConvolutionMode)
    /// The padded image or the output would be too large to allocate.
    case tooLarge(String)
    /// A forced algorithm cannot compute this convolution.
    case pathNotApplicable(ConvolutionPath, String)
    /// Planes or channels whose sizes do not agree.
    case shapeMismatch(String)

    /// The one-line message.
    public var description: String {
        switch self {
        case .invalidStride(let s):
            "stride must be at least 1 on each axis, got \(s)"
        case .invalidDilation(let d):
            "dilation must be at least 1 on each axis, got \(d)"
        case .negativePadding(let p):
            "padding cannot be negative, got top \(p.top), bottom \(p.bottom), left \(p.left), right \(p.right)"
        case .kernelLargerThanImage(let kernel, let span, let image, let mode):
            "kernel '\(kernel)' spans \(span.columns)x\(span.rows) cells, larger than the \(image.columns)x\(image.rows) "
                + "padded image in \(mode.rawValue) mode: no output"
        case .tooLarge(let detail):
            "too large: \(detail)"
        case .pathNotApplicable(let path, let reason):
            "the \(path.rawValue) algorithm cannot compute this: \(reason)"
        case .shapeMismatch(let detail):
            detail
        }
    }
}
