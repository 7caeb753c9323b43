// TestData: seeded random planes and kernels for comparing fast paths with the reference.

import ConvkitSupport
import Convolution

enum TestData {
    /// A plane of values in 0...255, as an 8-bit image channel holds.
    static func plane(rows: Int, columns: Int, seed: UInt64) -> Plane<Double> {
        var generator = SeededGenerator(seed: seed)
        let values = (0..<rows * columns).map { _ in
            Double(Int.random(in: 0...255, using: &generator))
        }
        // Sizes are positive and match, so this cannot fail.
        return (try? Plane(rows: rows, columns: columns, values: values))
            ?? { fatalError("bad test plane") }()
    }

    /// An asymmetric random kernel with weights in -1...1.
    static func kernel(rows: Int, columns: Int, seed: UInt64) throws -> Kernel {
        var generator = SeededGenerator(seed: seed)
        return try Kernel(
            name: "random\(rows)x\(columns)", rows: rows, columns: columns,
            weights: (0..<rows * columns).map { _ in Double.random(in: -1...1, using: &generator) })
    }

    /// A random rank-1 kernel: the outer product of two random vectors.
    static func rankOneKernel(rows: Int, columns: Int, seed: UInt64) throws -> Kernel {
        var generator = SeededGenerator(seed: seed)
        let column = (0..<rows).map { _ in Double.random(in: 0.1...1, using: &generator) }
        let row = (0..<columns).map { _ in Double.random(in: -1...1, using: &generator) }
        return try Kernel(
            name: "rank1-\(rows)x\(columns)", rows: rows, columns: columns,
            weights: column.flatMap { c in row.map { c * $0 } })
    }

    static func float(_ plane: Plane<Double>) throws -> Plane<Float> {
        try Plane(rows: plane.rows, columns: plane.columns, values: plane.values.map(Float.init))
    }

    /// `input` extended by `pad` cells on every side under `boundary` (the fill value where
    /// the rule has no input cell), as a full-mode correlation sees it.
    static func extended(_ input: Plane<Float>, by pad: Int, boundary: BoundaryRule) throws
        -> Plane<Float>
    {
        let (rows, columns) = (input.rows + 2 * pad, input.columns + 2 * pad)
        let fill: Float
        if case .fill(let value) = boundary { fill = Float(value) } else { fill = 0 }
        return try Plane(
            rows: rows, columns: columns,
            values: (0..<rows * columns).map { i in
                let y = boundary.sourceIndex(i / columns - pad, count: input.rows)
                let x = boundary.sourceIndex(i % columns - pad, count: input.columns)
                guard let y, let x else { return fill }
                return input.values[y * input.columns + x]
            })
    }
}
