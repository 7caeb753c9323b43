// FastOps: the vectorised element loops shared by the fast layers (bias, ReLU, column sums).

import ConvkitSupport

/// Pointer loops that the compiler vectorises, split over the cores where they are large.
/// Each has a plain counterpart in ``ReferenceOps`` and is tested against it.
enum FastOps {
    /// Adds `bias` to every row of `values` (rows of `bias.count`), then applies ReLU if asked.
    static func addBias(_ bias: [Float], to values: inout [Float], relu: Bool) {
        let width = bias.count
        let rows = values.count / width
        bias.withSharedPointer { b in
            values.withSharedMutablePointer { v in
                parallelChunks(rows) { _, range in
                    for r in range {
                        let row = v + r * width
                        if relu {
                            for i in 0..<width { row[i] = max(row[i] + b[i], 0) }
                        } else {
                            for i in 0..<width { row[i] += b[i] }
                        }
                    }
                }
            }
        }
    }

    /// Zeroes the gradient where the ReLU output is not positive.
    static func reluBackward(output: [Float], gradient: inout [Float]) {
        let count = gradient.count
        output.withSharedPointer { o in
            gradient.withSharedMutablePointer { g in
                parallelChunks(count) { _, range in
                    for i in range { g[i] = o[i] > 0 ? g[i] : 0 }
                }
            }
        }
    }

    /// ReLU in place.
    static func relu(_ values: inout [Float]) {
        let count = values.count
        values.withSharedMutablePointer { v in
            parallelChunks(count) { _, range in
                for i in range { v[i] = max(v[i], 0) }
            }
        }
    }

    /// Adds the column sums of a row-major `rows x columns` matrix to `sums`, summing rows in a
    /// fixed order so the result is the same on every run.
    static func columnSums(_ values: [Float], rows: Int, columns: Int, into sums: inout [Float]) {
        var total = [Float](repeating: 0, count: columns)
        values.withSharedPointer { v in
            total.withUnsafeMutableBufferPointer { tb in
                for r in 0..<rows {
                    let row = v + r * columns
                    for c in 0..<columns { tb[c] += row[c] }
                }
            }
        }
        for c in 0..<columns { sums[c] += total[c] }
    }
}

/// Eight floats from memory (no alignment needed).
@inline(__always) func load8(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

/// Stores eight floats (no alignment needed).
@inline(__always) func store8(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
}
