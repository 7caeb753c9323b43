// DiagramGeometry: the cells of a diagram as data: which are input, padding or inserted zeros,
// the output size, and the kernel footprint for every output cell. Nothing here draws.

import ConvkitSupport
import Convolution

/// One cell of a grid, counted from the top-left corner.
package struct GridCell: Sendable, Equatable, Hashable, Comparable, CustomStringConvertible {
    package var row: Int
    package var column: Int

    package init(row: Int, column: Int) {
        self.row = row
        self.column = column
    }

    package static func < (lhs: GridCell, rhs: GridCell) -> Bool {
        (lhs.row, lhs.column) < (rhs.row, rhs.column)
    }

    package var description: String { "(\(row), \(column))" }
}

/// What a cell of the bottom grid holds.
package enum CellKind: Sendable, Equatable {
    /// A cell of the input.
    case input
    /// A padding cell (zero), drawn dashed.
    case padding
    /// A zero inserted between input cells by a transposed convolution's stride, drawn dashed.
    case insertedZero
}

/// The geometry of a diagram: the bottom grid (the padded input, or for a transposed
/// convolution the input with zeros inserted and padded), the output grid on top, and the
/// direct convolution (always with the stride and dilation of ``drawnStride`` and
/// ``DiagramParameters/dilation``) that joins them.
package struct DiagramGeometry: Sendable, Equatable {
    package let parameters: DiagramParameters
    /// The whole bottom grid, padding included.
    package let bottom: AxisPair
    /// Cells of padding before (top, left) and after (bottom, right) the input in ``bottom``.
    package let padding: Padding
    /// The output grid's size.
    package let output: AxisPair
    /// The stride of the drawn convolution: the parameters' stride, or 1 when transposed.
    package let drawnStride: AxisPair
    /// For a transposed convolution, the step between input cells in ``bottom`` (the
    /// transposed stride); 1 otherwise.
    package let insertionStep: AxisPair

    /// Works out the geometry, with every output size from the shared output-size functions.
    package init(_ parameters: DiagramParameters) throws(DiagramError) {
        try parameters.validate()
        self.parameters = parameters
        let p = parameters
        if p.transposed {
            // Dumoulin & Visin, section 4: a transposed convolution equals a stride-1 convolution
            // over the input with s-1 zeros between its cells and d*(k-1)-p zeros around it.
            insertionStep = p.stride
            let spanRows = p.dilation.rows * (p.kernel.rows - 1)
            let spanColumns = p.dilation.columns * (p.kernel.columns - 1)
            padding = Padding(
                top: spanRows - p.padding.top,
                bottom: spanRows - p.padding.bottom + p.outputPadding.rows,
                left: spanColumns - p.padding.left,
                right: spanColumns - p.padding.right + p.outputPadding.columns)
            drawnStride = AxisPair(1)
            output = AxisPair(
                rows: transposedConvolutionOutputSize(
                    input: p.input.rows, kernel: p.kernel.rows, stride: p.stride.rows,
                    dilation: p.dilation.rows, paddingBefore: p.padding.top,
                    paddingAfter: p.padding.bottom, outputPadding: p.outputPadding.rows),
                columns: transposedConvolutionOutputSize(
                    input: p.input.columns, kernel: p.kernel.columns,
                    stride: p.stride.columns, dilation: p.dilation.columns,
                    paddingBefore: p.padding.left, paddingAfter: p.padding.right,
                    outputPadding: p.outputPadding.columns))
        } else {
            insertionStep = AxisPair(1)
            padding = p.padding
            drawnStride = p.stride
            output = AxisPair(
                rows: convolutionOutputSize(
                    input: p.input.rows, kernel: p.kernel.rows, stride: p.stride.rows,
                    dilation: p.dilation.rows, paddingBefore: p.padding.top,
                    paddingAfter: p.padding.bottom),
                columns: convolutionOutputSize(
                    input: p.input.columns, kernel: p.kernel.columns, stride: p.stride.columns,
                    dilation: p.dilation.columns, paddingBefore: p.padding.left,
                    paddingAfter: p.padding.right))
        }
        let stretched = AxisPair(
            rows: (p.input.rows - 1) * insertionStep.rows + 1,
            columns: (p.input.columns - 1) * insertionStep.columns + 1)
        bottom = AxisPair(
            rows: stretched.rows + padding.top + padding.bottom,
            columns: stretched.columns + padding.left + padding.right)
        guard output.rows >= 1, output.columns >= 1 else {
            let span = Self.span(p)
            throw .noOutput(
                "the kernel spans \(span.columns)x\(span.rows) cells (dilation included), more than the \(bottom.columns)x\(bottom.rows) padded input"
            )
        }
        guard output.rows <= Self.limit, output.columns <= Self.limit, bottom.rows <= Self.limit,
            bottom.columns <= Self.limit
        else {
            throw .invalid(
                "the diagram would have a \(bottom) bottom grid and a \(output) output, more than \(Self.limit) cells a side"
            )
        }
    }

    /// The most cells a side of either grid may have.
    static let limit = 128

    private static func span(_ p: DiagramParameters) -> AxisPair {
        AxisPair(
            rows: dilatedKernelSpan(kernel: p.kernel.rows, dilation: p.dilation.rows),
            columns: dilatedKernelSpan(kernel: p.kernel.columns, dilation: p.dilation.columns))
    }

    /// The size of the dilated kernel's window: `d*(k-1)+1` per axis.
    package var span: AxisPair { Self.span(parameters) }

    /// One frame per output cell.
    package var frameCount: Int { output.cellCount }

    /// The output cell of frame `frame` (0-based), in row order.
    package func outputCell(frame: Int) -> GridCell {
        GridCell(row: frame / output.columns, column: frame % output.columns)
    }

    /// What the bottom grid holds at `cell`.
    package func kind(of cell: GridCell) -> CellKind {
        let r = cell.row - padding.top
        let c = cell.column - padding.left
        let stretchedRows = (parameters.input.rows - 1) * insertionStep.rows + 1
        let stretchedColumns = (parameters.input.columns - 1) * insertionStep.columns + 1
        guard r >= 0, c >= 0, r < stretchedRows, c < stretchedColumns else { return .padding }
        return r % insertionStep.rows == 0 && c % insertionStep.columns == 0
            ? .input : .insertedZero
    }

    /// The input cell (in the parameters' input grid) held by a bottom-grid cell, if any.
    package func inputCell(at cell: GridCell) -> GridCell? {
        guard kind(of: cell) == .input else { return nil }
        return GridCell(
            row: (cell.row - padding.top) / insertionStep.rows,
            column: (cell.column - padding.left) / insertionStep.columns)
    }

    /// The bottom-grid cells the kernel covers for the output cell `cell`, in kernel order
    /// (row by row): `(r*s + i*d, c*s + j*d)` for kernel index `(i, j)`.
    package func footprint(of cell: GridCell) -> [GridCell] {
        var cells = [GridCell]()
        cells.reserveCapacity(parameters.kernel.cellCount)
        for i in 0..<parameters.kernel.rows {
            for j in 0..<parameters.kernel.columns {
                cells.append(
                    GridCell(
                        row: cell.row * drawnStride.rows + i * parameters.dilation.rows,
                        column: cell.column * drawnStride.columns + j * parameters.dilation.columns)
                )
            }
        }
        return cells
    }

    /// Every bottom-grid cell, row by row, with its kind.
    package var bottomCells: [(cell: GridCell, kind: CellKind)] {
        (0..<bottom.rows).flatMap { row in
            (0..<bottom.columns).map { column in
                let cell = GridCell(row: row, column: column)
                return (cell, kind(of: cell))
            }
        }
    }
}
