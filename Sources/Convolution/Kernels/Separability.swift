// Separability: rank-1 decomposition of a kernel into a column and a row, so that a 2-D pass can
// run as two 1-D passes.

extension Kernel {
    /// The kernel as the outer product of a column (`rows` values) and a row (`columns` values),
    /// or `nil` if it is not rank 1 within `tolerance`.
    ///
    /// The factors satisfy `abs(self[r, c] - column[r] * row[c]) <= tolerance * m` for every
    /// weight, where `m` is the largest weight magnitude, so the engine may run a column pass and
    /// a row pass instead of the 2-D kernel. An exact rank-1 kernel factors exactly through its
    /// largest weight; a nearly rank-1 one is refined by alternating least squares (power
    /// iteration towards the leading singular vectors) before the tolerance is checked.
    ///
    /// The factors are scaled for people to read: a factor that sums to 0 (a derivative) has its
    /// largest magnitude 1 and its last non-zero weight positive, so Sobel-x gives
    /// `column [1, 2, 1]`, `row [-1, 0, 1]`, as `cv2.getDerivKernels(1, 0, 3)` does; when neither
    /// factor sums to 0 they share the kernel's sum equally, so `gaussian3` gives
    /// `[0.25, 0.5, 0.25]` twice. An all-zero kernel factors as two zero vectors.
    public func separableFactors(tolerance: Double = 1e-6) -> (column: [Double], row: [Double])? {
        var pivot = 0
        for index in weights.indices where abs(weights[index]) > abs(weights[pivot]) {
            pivot = index
        }
        let largest = abs(weights[pivot])
        if largest == 0 {
            return ([Double](repeating: 0, count: rows), [Double](repeating: 0, count: columns))
        }
        let bound = tolerance * largest
        let (pivotRow, pivotColumn) = (pivot / columns, pivot % columns)
        var column = (0..<rows).map { self[$0, pivotColumn] }
        var row = (0..<columns).map { self[pivotRow, $0] / weights[pivot] }
        let pivotResidual = largestResidual(column: column, row: row)
        // If some rank-1 matrix is within d of every weight, factoring through the largest weight
        // is within about 4d (to first order in d / largest): far beyond that, nothing is.
        if pivotResidual > 8 * bound && tolerance < 0.01 { return nil }
        if pivotResidual > bound {
            for _ in 0..<50 {
                let previous = largestResidual(column: column, row: row)
                let columnNorm = column.reduce(0) { $0 + $1 * $1 }
                row = (0..<columns).map { c in
                    (0..<rows).reduce(0) { $0 + self[$1, c] * column[$1] } / columnNorm
                }
                let rowNorm = row.reduce(0) { $0 + $1 * $1 }
                guard rowNorm > 0 else { return nil }
                column = (0..<rows).map { r in
                    (0..<columns).reduce(0) { $0 + self[r, $1] * row[$1] } / rowNorm
                }
                if largestResidual(column: column, row: row) >= previous * 0.999_999 { break }
            }
        }
        let (readableColumn, readableRow) = Self.readable(column: column, row: row)
        guard largestResidual(column: readableColumn, row: readableRow) <= bound else { return nil }
        return (readableColumn, readableRow)
    }

    /// The largest `abs(self[r, c] - column[r] * row[c])`.
    package func largestResidual(column: [Double], row: [Double]) -> Double {
        var largest = 0.0
        for r in 0..<rows {
            for c in 0..<columns { largest = max(largest, abs(self[r, c] - column[r] * row[c])) }
        }
        return largest
    }

    /// Rescales a factor pair (same outer product) into the form described on
    /// ``separableFactors(tolerance:)``.
    private static func readable(column: [Double], row: [Double]) -> ([Double], [Double]) {
        func sumsToZero(_ v: [Double]) -> Bool {
            abs(v.reduce(0, +)) <= 1e-12 * v.reduce(0) { $0 + abs($1) }
        }
        /// The factor that makes `v`'s largest magnitude 1 and its last non-zero entry positive.
        func unitScale(_ v: [Double]) -> Double {
            let largest = v.map(abs).max() ?? 1
            let last = v.last { $0 != 0 } ?? 1
            return (last < 0 ? -1 : 1) / largest
        }
        let scale: Double
        switch (sumsToZero(column), sumsToZero(row)) {
        case (false, false):
            let columnSum = column.reduce(0, +)
            scale = (abs(columnSum * row.reduce(0, +))).squareRoot() / columnSum
        case (false, true):
            scale = 1 / unitScale(row)
        default:
            scale = unitScale(column)
        }
        guard scale.isFinite, scale != 0 else { return (column, row) }
        return (column.map { $0 * scale }, row.map { $0 / scale })
    }
}

extension Kernel {
    /// Whole-number factors of a kernel whose weights are whole numbers and which is exactly
    /// rank 1: `column[r] * row[c] == self[r, c]` with no rounding at all, the row's entries
    /// sharing no common divisor (`[1 2 1; 2 4 2]` gives column `[1, 2]`, row `[1, 2, 1]`).
    /// A factor that sums to 0 has its last non-zero entry positive (Sobel-x gives column
    /// `[1, 2, 1]`, row `[-1, 0, 1]`); otherwise the row sums to a positive number. nil when
    /// a weight is not a whole number (or above 2^26, where products could round), or when the
    /// kernel is not exactly rank 1.
    package func integerFactors() -> (column: [Double], row: [Double])? {
        let limit = Double(1 << 26)
        guard weights.allSatisfy({ $0 == $0.rounded() && abs($0) <= limit }) else { return nil }
        let values = weights.map { Int($0) }
        guard
            let first = (0..<rows).first(where: { r in
                (0..<columns).contains { values[r * columns + $0] != 0 }
            })
        else {
            return ([Double](repeating: 0, count: rows), [Double](repeating: 0, count: columns))
        }
        var row = Array(values[(first * columns)..<((first + 1) * columns)])
        let divisor = row.reduce(0) { greatestCommonDivisor($0, abs($1)) }
        row = row.map { $0 / divisor }
        let lastNonZero = row.last { $0 != 0 } ?? 1
        let sign =
            row.reduce(0, +) == 0 ? (lastNonZero < 0 ? -1 : 1) : (row.reduce(0, +) < 0 ? -1 : 1)
        row = row.map { $0 * sign }
        guard let pivot = row.firstIndex(where: { $0 != 0 }) else { return nil }
        var column = [Int]()
        for r in 0..<rows {
            let weight = values[r * columns + pivot]
            guard weight % row[pivot] == 0 else { return nil }
            let factor = weight / row[pivot]
            for c in 0..<columns where values[r * columns + c] != factor * row[c] {
                return nil
            }
            column.append(factor)
        }
        if row.reduce(0, +) != 0, column.reduce(0, +) == 0, (column.last { $0 != 0 } ?? 1) < 0 {
            column = column.map { -$0 }
            row = row.map { -$0 }
        }
        return (column.map(Double.init), row.map(Double.init))
    }

    /// Whether `column` x `row` gives every weight to within 1e-12 of that weight's own
    /// magnitude (zeros exactly): equal up to the rounding of the arithmetic, not merely
    /// close relative to the largest weight.
    package func isReproducedExactly(column: [Double], row: [Double]) -> Bool {
        guard column.count == rows, row.count == columns else { return false }
        for r in 0..<rows {
            for c in 0..<columns {
                let weight = self[r, c]
                if abs(weight - column[r] * row[c]) > 1e-12 * abs(weight) { return false }
            }
        }
        return true
    }
}

private func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
    var (x, y) = (a, b)
    while y != 0 { (x, y) = (y, x % y) }
    return x
}
