// FilteredArray: kernels applied to float arrays (numpy .npy data, such as an earlier exact
// result), and the check that no result holds inf or NaN, with the input that caused it.

import ConvkitSupport
import Foundation
import ImageIO

/// The result of filtering a float array: one plane per channel, in the array's own precision.
public struct FilteredArray: Sendable {
    /// The planes, Float32 for a float32 array and Float64 for a float64 one.
    public enum Planes: Sendable {
        /// The result of a float32 array, computed in Float32.
        case float32([Plane<Float>])
        /// The result of a float64 array, computed in Float64.
        case float64([Plane<Double>])
    }

    /// One plane per channel of the input array.
    public let planes: Planes

    /// The result in the input's dtype, shape (H, W) for one channel or (H, W, C).
    public func npyArray() throws -> NPYArray {
        switch planes {
        case .float32(let planes):
            let (shape, values) = interleaved(planes)
            return try NPYArray(shape: shape, values: .float32(values))
        case .float64(let planes):
            let (shape, values) = interleaved(planes)
            return try NPYArray(shape: shape, values: .float64(values))
        }
    }

    /// The result as an image with `bitDepth` bits per sample (8 or 16, default 8), every
    /// channel mapped by `range` (an array has no value range of its own to keep, so the caller
    /// must choose one): `clamp`, `abs` and `offset` read the values as samples of that depth.
    public func image(range: OutputRange, bitDepth: Int = 8) throws -> Image {
        try image(
            range: range, bitDepth: bitDepth, from: bitDepth == 16 ? 65535 : 255, alpha: false)
    }

    /// The result of filtering an image whose largest sample is `sourceMaxValue`, alpha last
    /// when `alpha` (as ``ImageFilter/applyInFloat64(to:)`` gives it), as an image with
    /// `bitDepth` bits per sample: colour mapped by `range`, alpha clamped, both rescaled to the
    /// output's range as ``FilteredImage/image(range:bitDepth:)`` does. A float64 result is
    /// mapped in Double: its values may lie beyond Float32's range or differ by less than
    /// Float32 can tell apart.
    public func image(range: OutputRange, bitDepth: Int, from sourceMaxValue: Int, alpha: Bool)
        throws -> Image
    {
        let top = bitDepth == 16 ? 65535 : 255
        switch planes {
        case .float32(let planes):
            return try FilteredImage(
                colour: alpha ? Array(planes.dropLast()) : planes, alpha: alpha ? planes.last : nil,
                maxValue: sourceMaxValue
            ).image(range: range, bitDepth: bitDepth)
        case .float64(let planes):
            let colour = alpha ? Array(planes.dropLast()) : planes
            let colourMapping = range.mapping(for: colour, maxValue: top, from: sourceMaxValue)
            let alphaMapping = OutputRange.clamp.mapping(
                for: [Plane<Double>](), maxValue: top, from: sourceMaxValue)
            let (_, values) = interleaved(planes)
            let channels = planes.count
            let samples = values.indices.map { index in
                alpha && index % channels == channels - 1
                    ? alphaMapping(values[index]) : colourMapping(values[index])
            }
            return try Image(
                width: planes.first?.columns ?? 0, height: planes.first?.rows ?? 0,
                channels: channels,
                samples: top > 255
                    ? .uint16(samples.map { UInt16(truncatingIfNeeded: $0) })
                    : .uint8(samples.map { UInt8(truncatingIfNeeded: $0) }))
        }
    }

    /// The first value that is inf or NaN, as (channel, x, y).
    package var firstNonFinite: (channel: Int, x: Int, y: Int)? {
        switch planes {
        case .float32(let planes): FilteredArray.firstNonFinite(in: planes)
        case .float64(let planes): FilteredArray.firstNonFinite(in: planes)
        }
    }

    /// The first value of `planes` that is inf or NaN, as (channel, x, y), value by value: the
    /// check of Float64 results, and the reference the Float overload below is tested against.
    static func firstNonFinite<Scalar>(in planes: [Plane<Scalar>]) -> (
        channel: Int, x: Int, y: Int
    )? {
        for (channel, plane) in planes.enumerated() {
            if let index = plane.values.firstIndex(where: { !$0.isFinite }) {
                return (channel, index % plane.columns, index / plane.columns)
            }
        }
        return nil
    }

    /// The same search in Float planes, eight values at a time (`v - v` is 0 exactly when `v` is
    /// finite), then the eight that hold one and the last few one by one: every filtered image
    /// is checked, and value by value the check took 1.6% of a 1-core RGB filter run's samples.
    static func firstNonFinite(in planes: [Plane<Float>]) -> (channel: Int, x: Int, y: Int)? {
        for (channel, plane) in planes.enumerated() {
            let found = plane.values.withUnsafeBufferPointer { values -> Int? in
                guard let base = values.baseAddress else { return nil }
                var start = 0
                while start + 8 <= values.count {
                    let lanes = UnsafeRawPointer(base + start).loadUnaligned(as: SIMD8<Float>.self)
                    if any(lanes - lanes .!= 0) { break }
                    start += 8
                }
                return values[start...].firstIndex { !$0.isFinite }
            }
            if let index = found { return (channel, index % plane.columns, index / plane.columns) }
        }
        return nil
    }

    private func interleaved<Scalar>(_ planes: [Plane<Scalar>]) -> ([Int], [Scalar]) {
        let rows = planes.first?.rows ?? 0
        let columns = planes.first?.columns ?? 0
        let pixels = rows * columns
        var values = [Scalar](repeating: 0, count: pixels * planes.count)
        for (channel, plane) in planes.enumerated() {
            for i in 0..<pixels { values[i * planes.count + channel] = plane.values[i] }
        }
        return (planes.count == 1 ? [rows, columns] : [rows, columns, planes.count], values)
    }
}

extension FilteredImage {
    /// The first colour or alpha value that is inf or NaN, as (channel, x, y).
    package var firstNonFinite: (channel: Int, x: Int, y: Int)? {
        FilteredArray.firstNonFinite(in: colour + (alpha.map { [$0] } ?? []))
    }
}

extension ImageFilter {
    /// Filters every channel of a float32 or float64 array of shape (H, W) or (H, W, C), C from
    /// 1 to 4, as independent planes (an array has no alpha channel). float32 arrays are
    /// computed in Float32 on the planner's paths, float64 arrays in Float64 with the reference
    /// loops, so the result keeps the input's precision; with ``float64`` a float32 array is
    /// computed and returned in Float64 too. `name` names the array in errors.
    /// - Throws: ``ConvolutionError/shapeMismatch(_:)`` for another shape or dtype, or for
    ///   values that are inf or NaN.
    public func apply(to array: NPYArray, name: String) throws -> FilteredArray {
        let shape = array.shape
        guard shape.count == 2 || (shape.count == 3 && (1...4).contains(shape[2])),
            shape[0] > 0, shape[1] > 0
        else {
            throw ConvolutionError.shapeMismatch(
                "\(name): an array of shape (\(shape.map(String.init).joined(separator: ", "))) is not an image: filter reads (H, W) or (H, W, C) with C from 1 to 4"
            )
        }
        let (rows, columns) = (shape[0], shape[1])
        let channels = shape.count == 3 ? shape[2] : 1
        func split<Scalar>(_ values: [Scalar]) throws -> [Plane<Scalar>] {
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                let pixel = bad / channels
                throw ConvolutionError.shapeMismatch(
                    "\(name): holds \(plainNumber(Double(values[bad]))) at x \(pixel % columns), y \(pixel / columns); filter needs finite numbers"
                )
            }
            return (0..<channels).map { channel in
                Plane(
                    unchecked: rows, columns: columns,
                    values: stride(from: channel, to: values.count, by: channels).map {
                        values[$0]
                    })
            }
        }
        switch array.values {
        case .float32(let values) where !float64:
            return FilteredArray(planes: .float32(try split(values).map { try run($0) }))
        case .float32(let values):
            let planes = try split(values).map {
                try run(Self.widened($0), convolve: referenceFloat64)
            }
            return FilteredArray(planes: .float64(planes))
        case .float64(let values):
            let planes = try split(values).map { try run($0, convolve: referenceFloat64) }
            return FilteredArray(planes: .float64(planes))
        default:
            throw ConvolutionError.shapeMismatch(
                "\(name): a \(array.values.dtype) array holds image samples: read it as an image")
        }
    }

    /// Why a result holds inf or NaN, naming what caused it: the first kernel after which the
    /// largest possible magnitude (the largest input or fill value times the sum of the kernels'
    /// weight magnitudes, step by step) exceeds `limit`, the largest finite value of the
    /// arithmetic. nil when no bound is exceeded.
    package func overflowCause(largestInput: Double, limit: Double) -> String? {
        var fill = 0.0
        if case .fill(let value) = options.boundary { fill = Swift.abs(value) }
        let start = Swift.max(largestInput, fill)
        let source =
            fill > largestInput
            ? "the fill value \(short(fill))" : "input values up to \(short(largestInput))"
        var bound = start
        for (index, kernels) in steps.enumerated() {
            guard let worst = kernels.max(by: { $0.magnitudeSum < $1.magnitudeSum }) else {
                continue
            }
            // A chain's later kernels read the results of the ones before (and the fill).
            let input = magnitude ? start : Swift.max(bound, fill)
            let next = input * worst.magnitudeSum
            if next > limit || !next.isFinite {
                let on =
                    magnitude || index == 0
                    ? source
                    : fill * worst.magnitudeSum > limit
                        ? "the fill value \(short(fill))"
                        : "the results of the kernels before it, up to \(short(bound))"
                return
                    "kernel '\(worst.name)' (weight magnitudes summing to \(short(worst.magnitudeSum))) on \(on) exceeds the largest representable value, \(short(limit))"
            }
            bound = magnitude ? Swift.max(bound, next) : next
        }
        if magnitude, bound * 2.0.squareRoot() > limit {
            return
                "the magnitude of two results up to \(short(bound)) exceeds the largest representable value, \(short(limit))"
        }
        return nil
    }

    private func short(_ value: Double) -> String {
        value == value.rounded() && Swift.abs(value) < 1e6
            ? plainNumber(value) : String(format: "%.3g", value)
    }
}
