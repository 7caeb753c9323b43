// KernelWeights: a convolution kernel as a (kh, kw, cin, cout) array, and its per-filter summaries.

import Foundation

// Case lists and property lists; other modules' enums and structs have the same shape.
/// How the input channels of one filter are summarised into a single kh x kw map.
package enum KernelReduction: String, Sendable, CaseIterable {
    /// The mean weight over the input channels (signed).
    case mean
    /// The Euclidean norm over the input channels (unsigned: how strongly each tap is used).
    case norm
}

/// A convolution kernel laid out as Keras stores it: `[kh, kw, cin, cout]`, row-major, so the
/// weight of tap (`y`, `x`) on input channel `c` for filter `f` is at `((y * kw + x) * cin + c) * cout + f`.
package struct KernelWeights: Sendable, Equatable {
    package let height: Int
    package let width: Int
    package let inputChannels: Int
    package let filters: Int
    package let values: [Float]

    /// - Throws: ``VisualizationError/badData(_:)`` unless `shape` is four positive sizes whose
    ///   product is `values.count`.
    package init(shape: [Int], values: [Float]) throws {
        guard shape.count == 4, shape.allSatisfy({ $0 > 0 && $0 <= 1 << 16 }) else {
            throw VisualizationError.badData(
                "a convolution kernel needs the shape (kh, kw, cin, cout), got \(shape)")
        }
        let (count, overflow) = shape.dropFirst().reduce((shape[0], false)) { partial, size in
            let product = partial.0.multipliedReportingOverflow(by: size)
            return (product.partialValue, partial.1 || product.overflow)
        }
        guard !overflow, count == values.count else {
            throw VisualizationError.badData(
                "a kernel of shape \(shape) needs \(overflow ? "too many" : String(count)) values, got \(values.count)"
            )
        }
        height = shape[0]
        width = shape[1]
        inputChannels = shape[2]
        filters = shape[3]
        self.values = values
    }

    /// The weight of tap (`y`, `x`) on input `channel` of `filter`.
    package func weight(y: Int, x: Int, channel: Int, filter: Int) -> Double {
        Double(values[((y * width + x) * inputChannels + channel) * filters + filter])
    }

    /// The kh x kw weights of `filter` on input `channel`, row by row.
    package func plane(filter: Int, channel: Int) -> [Double] {
        (0..<height).flatMap { y in
            (0..<width).map { x in weight(y: y, x: x, channel: channel, filter: filter) }
        }
    }

    /// The kh x kw map of `filter` with its input channels summarised by `reduction`.
    package func reduced(filter: Int, by reduction: KernelReduction) -> [Double] {
        (0..<height).flatMap { y in
            (0..<width).map { x in
                let taps = (0..<inputChannels).map {
                    weight(y: y, x: x, channel: $0, filter: filter)
                }
                switch reduction {
                case .mean: return taps.reduce(0, +) / Double(inputChannels)
                case .norm: return sqrt(taps.reduce(0) { $0 + $1 * $1 })
                }
            }
        }
    }
}
