// Kernel: a 2-D matrix of weights, the value every convolution takes.

import ConvkitSupport

/// A convolution kernel: `rows` x `columns` weights in row-major order.
///
/// The kernel is stored as written (as a person reads it, first row at the top); `convolve`
/// flips it and `correlate` does not. Weights are `Double` so that named and parsed kernels are
/// exact; the engine converts them to its compute precision.
public struct Kernel: Sendable, Equatable {
    /// The name it was resolved from (`sobel-x`, `gaussian:5,1.0`, a file name, or the inline text itself).
    public var name: String
    /// Height: the number of rows of weights.
    public let rows: Int
    /// Width: the number of columns of weights.
    public let columns: Int
    /// Row-major weights: the weight at (r, c) is `weights[r * columns + c]`.
    public let weights: [Double]

    /// Creates a kernel; `weights.count` must be `rows * columns` and every weight finite and
    /// within Float32's range (the engine computes in Float32).
    public init(name: String, rows: Int, columns: Int, weights: [Double]) throws {
        guard rows > 0, columns > 0 else {
            throw KernelError.invalid(
                name: name,
                reason: "a kernel needs at least one row and one column, got \(columns)x\(rows)")
        }
        guard rows <= 4096, columns <= 4096 else {
            throw KernelError.invalid(
                name: name,
                reason: "a kernel has at most 4096 rows and 4096 columns, got \(columns)x\(rows)")
        }
        guard weights.count == rows * columns else {
            throw KernelError.invalid(
                name: name,
                reason: "\(columns)x\(rows) needs \(rows * columns) weights, got \(weights.count)")
        }
        if let bad = weights.first(where: { !$0.fitsFloat32 }) {
            throw KernelError.invalid(
                name: name,
                reason:
                    "weight \(plainNumber(bad)) is not a finite number within Float32's range (+-3.4e38), the precision images are filtered in"
            )
        }
        self.name = name
        self.rows = rows
        self.columns = columns
        self.weights = weights
    }

    /// The weight at `row`, `column` (0-based, from the top-left).
    public subscript(row: Int, column: Int) -> Double {
        weights[row * columns + column]
    }

    /// The first weight that Float32, the precision images are filtered in, would change in
    /// meaning: a non-zero weight that becomes 0, or a whole number above 2^24 that becomes
    /// another (ordinary rounding of a fraction such as 0.1 does not count); nil when none.
    public var weightChangedByFloat32: Double? { weights.first(where: \.isChangedByFloat32) }

    /// The sum of all weights (0 for edge detectors, 1 for normalised blurs).
    public var sum: Double { weights.reduce(0, +) }

    /// The kernel rotated by 180 degrees: what `convolve` applies as a correlation.
    public var flipped: Kernel {
        Kernel(unchecked: name, rows: rows, columns: columns, weights: weights.reversed())
    }

    private init(unchecked name: String, rows: Int, columns: Int, weights: [Double]) {
        self.name = name
        self.rows = rows
        self.columns = columns
        self.weights = weights
    }
}

/// A kernel that cannot be built or found, with its name and the reason in words.
public enum KernelError: Error, Equatable, CustomStringConvertible {
    /// The kernel's numbers do not make a valid kernel.
    case invalid(name: String, reason: String)
    /// No named kernel or family has this name; `suggestions` are the closest known names.
    case unknownName(String, suggestions: [String])
    /// A kernel written as text (inline or a family's parameters) cannot be read; `detail` says
    /// where (entry, row and column) and why.
    case malformed(spec: String, detail: String)
    /// A kernel file cannot be read or does not hold a kernel.
    case badFile(path: String, detail: String)
    /// A vips matrix file gives a nonzero offset: a kernel has none (an offset belongs to how
    /// the result becomes samples, ``OutputRange``).
    case unsupportedOffset(path: String, offset: String)

    /// The one-line message, naming the kernel.
    public var description: String {
        switch self {
        case .invalid(let name, let reason): "kernel '\(escapedForMessage(name))': \(reason)"
        case .unknownName(let name, let suggestions):
            "unknown kernel '\(escapedForMessage(name))'"
                + (suggestions.isEmpty
                    ? "" : "; did you mean \(suggestions.joined(separator: ", "))?")
        case .malformed(let spec, let detail): "kernel '\(escapedForMessage(spec))': \(detail)"
        case .badFile(let path, let detail): "\(path): \(detail)"
        case .unsupportedOffset(let path, let offset):
            "\(path): line 1: offset '\(offset)' is not supported (a kernel has no offset)"
        }
    }
}
