// DiagramParameters: what a convolution-arithmetic diagram shows, per axis, checked once.

import ConvkitSupport
import Convolution

/// A padding given by name, resolved against the kernel and dilation of one axis.
public enum NamedPadding: String, Sendable, CaseIterable {
    /// No padding.
    case valid
    /// Enough padding that, at stride 1, the output has the input's size; the odd cell of an
    /// even kernel goes after (below, right), as in `scipy.signal.correlate2d` and Keras.
    case same
    /// `d*(k-1)` on each side: every position where the kernel touches one input cell.
    case full

    /// The padding this name gives for a `kernel` with `dilation`.
    /// - Throws: ``DiagramError`` when either is outside what a diagram draws (checked before
    ///   the span `d*(k-1)+1` is computed, so no size can overflow it).
    package func padding(kernel: AxisPair, dilation: AxisPair) throws(DiagramError) -> Padding {
        try DiagramParameters.checkSide("kernel", kernel)
        try DiagramParameters.checkSide("dilation", dilation)
        let spanRows = dilatedKernelSpan(kernel: kernel.rows, dilation: dilation.rows)
        let spanColumns = dilatedKernelSpan(kernel: kernel.columns, dilation: dilation.columns)
        switch self {
        case .valid:
            return Padding(all: 0)
        case .same:
            // scipy's correlate2d 'same': the odd cell of an even kernel goes after.
            let rows = ConvolutionGeometry.modePadding(
                span: spanRows, mode: .same, operation: .correlate)
            let columns = ConvolutionGeometry.modePadding(
                span: spanColumns, mode: .same, operation: .correlate)
            return Padding(
                top: rows.before, bottom: rows.after, left: columns.before, right: columns.after)
        case .full:
            return Padding(
                top: spanRows - 1, bottom: spanRows - 1, left: spanColumns - 1,
                right: spanColumns - 1)
        }
    }
}

// Case lists and property lists; other modules' enums and structs have the same shape.
/// The pooling a numerical diagram can show instead of a convolution.
public enum Pooling: String, Sendable, CaseIterable {
    /// The largest value in the window.
    case max
    /// The mean over the whole window, padding included (PyTorch's `count_include_pad=True`).
    case avg
}

/// Everything a diagram depends on.
///
/// For a transposed convolution, `input`, `kernel`, `stride`, `padding` and `dilation` are
/// those of the transposed layer (as for PyTorch's `ConvTranspose2d`); the diagram draws the
/// equivalent direct convolution of Dumoulin & Visin.
public struct DiagramParameters: Sendable, Equatable {
    /// The input grid's size, rows first.
    public var input: AxisPair
    /// The kernel's (or pooling window's) size, rows first.
    public var kernel: AxisPair
    /// Step between outputs along each axis.
    public var stride: AxisPair
    /// Spacing between kernel taps along each axis (1: adjacent).
    public var dilation: AxisPair
    /// Cells added on each side of the input: zeros, or -inf for max pooling (as PyTorch
    /// pads it, so padding never wins a max).
    public var padding: Padding
    /// Draw the transposed convolution of these parameters.
    public var transposed: Bool
    /// Extra cells on the bottom and right of a transposed convolution's output.
    public var outputPadding: AxisPair
    /// Pooling to draw instead of a convolution; `nil` for a convolution.
    public var pooling: Pooling?
    /// Write numbers in the cells (always on for pooling).
    public var showValues: Bool

    /// Parameters with each choice given or defaulted (stride and dilation 1, no padding).
    /// Call ``validate()`` (or make a ``DiagramFigure``) to check them.
    public init(
        input: AxisPair, kernel: AxisPair, stride: AxisPair = AxisPair(1),
        dilation: AxisPair = AxisPair(1),
        padding: Padding = Padding(all: 0), transposed: Bool = false,
        outputPadding: AxisPair = AxisPair(0),
        pooling: Pooling? = nil, showValues: Bool = false
    ) {
        self.input = input
        self.kernel = kernel
        self.stride = stride
        self.dilation = dilation
        self.padding = padding
        self.transposed = transposed
        self.outputPadding = outputPadding
        self.pooling = pooling
        self.showValues = showValues || pooling != nil
    }

    /// The largest grid side a diagram draws, so a figure stays readable and small.
    public static let maximumSide = 64

    /// Checks that a per-axis size called `name` is 1 to ``maximumSide`` on both axes.
    static func checkSide(_ name: String, _ value: AxisPair) throws(DiagramError) {
        guard value.rows >= 1, value.columns >= 1 else {
            throw .invalid("\(name) must be at least 1 on both axes, got \(value)")
        }
        guard value.rows <= maximumSide, value.columns <= maximumSide else {
            throw .invalid("\(name) \(value) is larger than \(maximumSide), too many cells to draw")
        }
    }

    /// Checks that the parameters describe a drawable, non-empty diagram.
    public func validate() throws(DiagramError) {
        for (name, value) in [
            ("input", input), ("kernel", kernel), ("stride", stride), ("dilation", dilation),
        ] {
            try Self.checkSide(name, value)
        }
        let sides = [padding.top, padding.bottom, padding.left, padding.right]
        guard sides.allSatisfy({ $0 >= 0 }) else {
            throw .invalid("padding must not be negative, got \(padding)")
        }
        guard sides.allSatisfy({ $0 <= Self.maximumSide }) else {
            throw .invalid("padding \(padding) is larger than \(Self.maximumSide)")
        }
        guard outputPadding.rows >= 0, outputPadding.columns >= 0 else {
            throw .invalid("output padding must not be negative, got \(outputPadding)")
        }
        if transposed {
            guard pooling == nil else {
                throw .invalid(
                    "pooling has no transposed form: draw a pooling or a transposed convolution")
            }
            for (axis, o, s, d) in [
                ("rows", outputPadding.rows, stride.rows, dilation.rows),
                ("columns", outputPadding.columns, stride.columns, dilation.columns),
            ]
            where o >= max(s, d) {
                throw .invalid(
                    "output padding (\(o) on \(axis)) must be smaller than the stride or the dilation (as in PyTorch)"
                )
            }
            let spanRows = dilation.rows * (kernel.rows - 1)
            let spanColumns = dilation.columns * (kernel.columns - 1)
            guard max(padding.top, padding.bottom) <= spanRows,
                max(padding.left, padding.right) <= spanColumns
            else {
                throw .invalid(
                    "a transposed convolution's padding must be at most dilation*(kernel-1) = \(AxisPair(rows: spanRows, columns: spanColumns)), got \(padding)"
                )
            }
        } else if outputPadding != AxisPair(0) {
            throw .invalid("output padding applies only to a transposed convolution")
        }
    }
}

// An error enum: cases, then a description switch, as every module's error type has.
/// Why a diagram cannot be made or written.
public enum DiagramError: Error, Equatable, CustomStringConvertible {
    /// The parameters do not describe a diagram.
    case invalid(String)
    /// The parameters give no output cell.
    case noOutput(String)
    /// A frame number outside the diagram.
    case noSuchFrame(frame: Int, count: Int)
    /// The output path's extension is not a diagram format.
    case unknownFormat(path: String)
    /// Writing failed.
    case writeFailed(path: String, reason: String)
    /// Drawing would take too many pixels or frames; `largestScale` is the largest scale that
    /// fits (0 when none does).
    case tooLarge(String, largestScale: Double)

    /// The one-line message.
    public var description: String {
        switch self {
        case .invalid(let detail): "bad diagram parameters: \(detail)"
        case .noOutput(let detail): "no output: \(detail)"
        case .noSuchFrame(let frame, let count):
            "frame \(frame) does not exist: the diagram has frames 1 to \(count)"
        case .unknownFormat(let path):
            "\(path): unknown diagram format: use a name ending in .png, .svg, .pdf or .gif"
        case .writeFailed(let path, let reason): "\(path): cannot write: \(reason)"
        case .tooLarge(let detail, let largestScale):
            largestScale > 0
                ? "\(detail): draw at a scale of at most \(largestScale), or fewer cells"
                : "\(detail): draw fewer cells"
        }
    }
}
