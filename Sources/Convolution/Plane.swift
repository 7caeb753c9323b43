// Plane: one channel of samples as a row-major matrix of floating-point values.

/// A rows x columns matrix of values in row-major order, the unit the engine convolves (one
/// colour channel of an image, or one numpy 2-D array). The value at row `r`, column `c` is
/// `values[r * columns + c]`.
public struct Plane<Scalar: BinaryFloatingPoint & Sendable>: Sendable, Equatable {
    /// Height: the number of rows.
    public let rows: Int
    /// Width: the number of columns.
    public let columns: Int
    /// The `rows * columns` values, row by row.
    public var values: [Scalar]

    /// Creates a plane; `values.count` must be `rows * columns`.
    public init(rows: Int, columns: Int, values: [Scalar]) throws {
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard rows > 0, columns > 0, !overflow, values.count == count else {
            throw ConvolutionError.shapeMismatch(
                "a \(columns)x\(rows) plane needs columns x rows values, got \(values.count)")
        }
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A plane filled with one value (sizes are the caller's, already checked).
    init(rows: Int, columns: Int, repeating value: Scalar) {
        self.rows = rows
        self.columns = columns
        self.values = [Scalar](repeating: value, count: rows * columns)
    }

    /// Wraps values whose count is known to be `rows * columns`.
    init(unchecked rows: Int, columns: Int, values: [Scalar]) {
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// The value at `row`, `column`.
    public subscript(row: Int, column: Int) -> Scalar {
        values[row * columns + column]
    }
}
