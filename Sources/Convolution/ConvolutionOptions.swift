// ConvolutionOptions: every choice of convolution arithmetic, in one value.

/// Whether the kernel is flipped before it slides over the image.
public enum ConvolutionOperation: String, Sendable, CaseIterable {
    /// True convolution, kernel rotated by 180 degrees: `scipy.signal.convolve2d`.
    case convolve
    /// Cross-correlation, kernel as written: `scipy.signal.correlate2d`, `torch.nn.functional.conv2d`.
    case correlate
}

/// Which outputs are kept, as in `scipy.signal.convolve2d`'s `mode`.
public enum ConvolutionMode: String, Sendable, CaseIterable {
    /// Every position where the kernel overlaps the (padded) image: size `i + K - 1`.
    case full
    /// As many outputs as inputs (with stride 1), aligned as scipy aligns them: for an
    /// even-sized kernel `convolve2d` keeps `full[K/2 ...]` counted from the end, i.e. pads
    /// `K/2` cells before and `(K-1)/2` after, while `correlate2d` pads `(K-1)/2` before and
    /// `K/2` after (`K` is the dilated kernel size along the axis).
    case same
    /// Only positions where the kernel lies entirely inside the (padded) image: size `i - K + 1`.
    case valid
}

/// How values outside the image are made up.
public enum BoundaryRule: Sendable, Equatable {
    /// A constant (scipy's `boundary='fill'` with `fillvalue`; zero padding when 0).
    case fill(Double)
    /// Periodic: the image repeats (scipy's `wrap`, OpenCV's `BORDER_WRAP`).
    case wrap
    /// Mirror including the edge sample, `cba|abc|cba` (scipy's `symm`, OpenCV's `BORDER_REFLECT`).
    case symm
    /// Mirror without repeating the edge sample, `dcb|abcd|cba` (OpenCV's default
    /// `BORDER_REFLECT_101`, numpy's `pad(mode='reflect')`, scipy.ndimage's `mirror`).
    case reflect101
    /// The edge sample repeated, `aaa|abc|ccc` (OpenCV's `BORDER_REPLICATE`, ndimage's `nearest`).
    case nearest

    /// The index inside `0..<count` that supplies position `index` (which may lie outside),
    /// or nil for `fill`. Extensions longer than the image keep repeating the rule, as scipy does.
    @inline(__always)
    package func sourceIndex(_ index: Int, count: Int) -> Int? {
        if index >= 0 && index < count { return index }
        switch self {
        case .fill:
            return nil
        case .wrap:
            let m = index % count
            return m < 0 ? m + count : m
        case .symm:
            let period = 2 * count
            var m = index % period
            if m < 0 { m += period }
            return m < count ? m : period - 1 - m
        case .reflect101:
            if count == 1 { return 0 }
            let period = 2 * count - 2
            var m = index % period
            if m < 0 { m += period }
            return m < count ? m : period - m
        case .nearest:
            return index < 0 ? 0 : count - 1
        }
    }
}

/// Explicit padding in cells on each side, added by the boundary rule before the mode applies.
public struct Padding: Sendable, Hashable, CustomStringConvertible {
    /// Rows added above the image.
    public var top: Int
    /// Rows added below the image.
    public var bottom: Int
    /// Columns added left of the image.
    public var left: Int
    /// Columns added right of the image.
    public var right: Int

    // Written out: Swift synthesizes a memberwise initializer only at internal access.
    /// Padding with its own size on each side (Keras' asymmetric 'same' is such a padding).
    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top
        self.bottom = bottom
        self.left = left
        self.right = right
    }

    /// The same padding on all four sides (PyTorch's `padding=N`).
    public init(all size: Int) {
        self.init(top: size, bottom: size, left: size, right: size)
    }

    /// No padding.
    public static let zero = Padding(all: 0)

    /// Whether all four sides have the same padding.
    public var isUniform: Bool { top == bottom && left == right && top == left }

    /// `1` when uniform, `T,B,L,R` otherwise (as the command line writes it).
    public var description: String { isUniform ? "\(top)" : "\(top),\(bottom),\(left),\(right)" }
}

/// A pair of per-axis values written rows first, as numpy and PyTorch shapes are (`2x1` is 2
/// along rows, 1 along columns).
public struct AxisPair: Sendable, Hashable, CustomStringConvertible {
    /// The value along rows (vertical, numpy's axis 0).
    public var rows: Int
    /// The value along columns (horizontal, numpy's axis 1).
    public var columns: Int

    /// A pair with its own value on each axis.
    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
    }

    /// The same value on both axes.
    public init(_ both: Int) {
        self.init(rows: both, columns: both)
    }

    /// Whether both axes have the same value.
    public var isSquare: Bool { rows == columns }

    /// `rows * columns`: the number of cells of a grid of this size.
    public var cellCount: Int { rows * columns }

    /// `5` when both axes agree, `4x6` (width x height: columns, then rows) otherwise, as every
    /// size is written on the command line and in messages.
    public var description: String { isSquare ? "\(rows)" : "\(columns)x\(rows)" }
}

/// The algorithm that computes a convolution; the planner picks one unless told.
public enum ConvolutionPath: String, Sendable, CaseIterable {
    /// Plain loops in Double over the boundary-extended image: the reference every path matches.
    case reference
    /// Every kernel tap applied directly, SIMD across each output row.
    case direct
    /// A rank-1 kernel as two 1-D passes (rows, then columns).
    case separable
    /// FFTW transforms of overlapping tiles (overlap-save).
    case fft
}

/// Everything that shapes a 2-D convolution besides the image and the kernel.
///
/// The image is first extended by `padding` (using `boundary`), then `mode` adds its own padding
/// (also by `boundary`), then the (dilated) kernel slides with `stride`. Sizes per axis follow
/// ``convolutionOutputSize(input:kernel:stride:dilation:paddingBefore:paddingAfter:)``, so
/// `mode: .valid, operation: .correlate, padding: Padding(all: 1), stride: AxisPair(2)` is
/// `torch.nn.functional.conv2d(x, k, stride=2, padding=1)`.
public struct ConvolutionOptions: Sendable, Equatable {
    /// Whether the kernel is flipped (convolve) or not (correlate).
    public var operation: ConvolutionOperation
    /// Which outputs are kept: `full`, `same` or `valid`.
    public var mode: ConvolutionMode
    /// How values outside the image are made up.
    public var boundary: BoundaryRule
    /// Cells added on each side before the mode applies.
    public var padding: Padding
    /// Step between outputs along each axis.
    public var stride: AxisPair
    /// Spacing between kernel taps along each axis (1: adjacent).
    public var dilation: AxisPair
    /// Worker threads; nil uses every core.
    public var threads: Int?
    /// Forces an algorithm; nil lets the planner choose.
    public var path: ConvolutionPath?
    /// The FFT path's tile height: a streamed filter sets the whole image's for its bands, so
    /// that their tiles hold what the image's do; nil lets the path choose.
    package var fftRowTile: Int? = nil

    /// Options with each choice given or defaulted; the defaults are `scipy.signal.convolve2d(x,
    /// k, mode='same')`.
    public init(
        operation: ConvolutionOperation = .convolve, mode: ConvolutionMode = .same,
        boundary: BoundaryRule = .fill(0), padding: Padding = .zero,
        stride: AxisPair = AxisPair(1), dilation: AxisPair = AxisPair(1),
        threads: Int? = nil, path: ConvolutionPath? = nil
    ) {
        self.operation = operation
        self.mode = mode
        self.boundary = boundary
        self.padding = padding
        self.stride = stride
        self.dilation = dilation
        self.threads = threads
        self.path = path
    }
}
