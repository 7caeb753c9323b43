// ConvolutionGeometry: where the kernel goes, how much padding each side gets, how big the output is.

import ConvkitSupport

/// The sizes of one convolution: the per-side padding (explicit padding plus the mode's), the
/// dilated kernel span and the output size, all from the one output-size formula.
///
/// Every algorithm computes the same thing in these terms: extend the image by `before`/`after`
/// cells with the boundary rule, then correlate with the effective kernel (flipped for
/// `convolve`), dilated, at positions `0, stride, 2*stride, ...`.
package struct ConvolutionGeometry: Sendable, Equatable {
    package let input: AxisPair
    package let kernel: AxisPair
    /// The dilated kernel's extent: `dilation * (k - 1) + 1` per axis.
    package let span: AxisPair
    /// Total cells added above and to the left of the image.
    package let before: AxisPair
    /// Total cells added below and to the right of the image.
    package let after: AxisPair
    package let stride: AxisPair
    package let dilation: AxisPair
    package let output: AxisPair

    /// The size of the boundary-extended image.
    package var padded: AxisPair {
        AxisPair(
            rows: input.rows + before.rows + after.rows,
            columns: input.columns + before.columns + after.columns)
    }

    /// The output before striding: every row (column) from the first output's to the last's, the
    /// rows and columns the direct, separable and FFT paths compute before subsampling.
    package var dense: AxisPair {
        AxisPair(
            rows: (output.rows - 1) * stride.rows + 1,
            columns: (output.columns - 1) * stride.columns + 1)
    }

    /// Checks the options and works out the sizes; throws for a zero stride or dilation, negative
    /// padding, no output (kernel larger than the image in valid mode) or absurd sizes.
    package init(
        inputRows: Int, inputColumns: Int, kernelRows: Int, kernelColumns: Int,
        kernelName: String = "kernel", options: ConvolutionOptions
    ) throws {
        let stride = options.stride
        let dilation = options.dilation
        let padding = options.padding
        guard stride.rows >= 1, stride.columns >= 1 else {
            throw ConvolutionError.invalidStride(stride)
        }
        guard dilation.rows >= 1, dilation.columns >= 1 else {
            throw ConvolutionError.invalidDilation(dilation)
        }
        guard padding.top >= 0, padding.bottom >= 0, padding.left >= 0, padding.right >= 0 else {
            throw ConvolutionError.negativePadding(padding)
        }
        let limit = 1 << 20
        guard
            [
                padding.top, padding.bottom, padding.left, padding.right, dilation.rows,
                dilation.columns,
                inputRows, inputColumns, kernelRows, kernelColumns,
            ].allSatisfy({ $0 <= limit })
        else {
            throw ConvolutionError.tooLarge(
                "sizes, padding and dilation are limited to \(limit) cells per axis")
        }
        let rows = ConvolutionAxis(
            input: inputRows, kernel: kernelRows, stride: stride.rows, dilation: dilation.rows,
            padding: (padding.top, padding.bottom), options: options)
        let columns = ConvolutionAxis(
            input: inputColumns, kernel: kernelColumns, stride: stride.columns,
            dilation: dilation.columns, padding: (padding.left, padding.right), options: options)
        let span = AxisPair(rows: rows.span, columns: columns.span)
        let before = AxisPair(rows: rows.padding.before, columns: columns.padding.before)
        let after = AxisPair(rows: rows.padding.after, columns: columns.padding.after)
        let output = AxisPair(rows: rows.output, columns: columns.output)
        let padded = AxisPair(rows: rows.padded, columns: columns.padded)
        guard output.rows > 0, output.columns > 0 else {
            throw ConvolutionError.kernelLargerThanImage(
                kernel: kernelName, span: span, image: padded, mode: options.mode)
        }
        let (area, overflow) = padded.rows.multipliedReportingOverflow(by: padded.columns)
        guard !overflow, area <= 1 << 31 else {
            throw ConvolutionError.tooLarge(
                "the padded image would be \(padded.columns)x\(padded.rows) cells")
        }
        guard output.rows * output.columns <= 1 << 30 else {
            throw ConvolutionError.tooLarge(
                "the output would be \(output.columns)x\(output.rows) cells")
        }
        self.input = AxisPair(rows: inputRows, columns: inputColumns)
        self.kernel = AxisPair(rows: kernelRows, columns: kernelColumns)
        self.span = span
        self.before = before
        self.after = after
        self.stride = stride
        self.dilation = dilation
        self.output = output
    }

    /// The padding a mode adds along one axis for a dilated kernel of size `span`, with scipy's
    /// alignment ('same' differs between convolve2d and correlate2d for even sizes).
    package static func modePadding(
        span: Int, mode: ConvolutionMode, operation: ConvolutionOperation
    ) -> (
        before: Int, after: Int
    ) {
        switch mode {
        case .valid: return (0, 0)
        case .full: return (span - 1, span - 1)
        case .same:
            return operation == .convolve ? (span / 2, (span - 1) / 2) : ((span - 1) / 2, span / 2)
        }
    }
}

/// One axis of a convolution's arithmetic, unchecked: the dilated kernel's span, the cells added
/// before and after the input (explicit padding plus the mode's) and the output count. Both axes
/// of ``ConvolutionGeometry`` are made of it, and a streamed filter, which cuts only rows, uses
/// it for each axis on its own.
package struct ConvolutionAxis: Sendable {
    package let input: Int
    /// The dilated kernel's extent: `dilation * (k - 1) + 1`.
    package let span: Int
    /// Cells added before and after the input: the explicit padding plus the mode's.
    package let padding: (before: Int, after: Int)
    /// The output size, 0 when the span does not fit in the padded input.
    package let output: Int

    /// The axis of `input` cells under a `kernel`-cell kernel, with explicit `padding` before
    /// and after it and the mode and operation of `options`.
    package init(
        input: Int, kernel: Int, stride: Int, dilation: Int, padding explicit: (Int, Int),
        options: ConvolutionOptions
    ) {
        span = dilatedKernelSpan(kernel: kernel, dilation: dilation)
        let mode = ConvolutionGeometry.modePadding(
            span: span, mode: options.mode, operation: options.operation)
        self.input = input
        padding = (explicit.0 + mode.before, explicit.1 + mode.after)
        output = convolutionOutputSize(
            input: input, kernel: kernel, stride: stride, dilation: dilation,
            paddingBefore: padding.before, paddingAfter: padding.after)
    }

    /// The size of the boundary-extended axis.
    package var padded: Int { input + padding.before + padding.after }
}
