// ImagePlanes: images split into float planes per channel, and float results back into images or arrays.

import ConvkitSupport
import ImageIO

/// Conversions between interleaved integer images and one float plane per channel.
package enum ImagePlanes {
    /// One plane per channel, in the image's channel order, holding the sample values (0...255 or
    /// 0...65535) as floats. Large images are converted on every core.
    package static func split(_ image: Image) -> [Plane<Float>] {
        (0..<image.channels).map { channel in
            let values =
                switch image.samples {
                case .uint8(let samples): widen(samples, channel: channel, of: image.channels)
                case .uint16(let samples): widen(samples, channel: channel, of: image.channels)
                }
            return Plane(unchecked: image.height, columns: image.width, values: values)
        }
    }

    /// Channel `channel` of interleaved `samples` as floats.
    private static func widen<Sample: BinaryInteger & Sendable>(
        _ samples: [Sample], channel: Int, of channels: Int
    ) -> [Float] {
        let count = samples.count / channels
        return makeLargeArray(count: count) { buffer in
            let out = buffer.shared
            samples.withUnsafeBufferPointer { input in
                let from = input.shared
                // Through the raw pointers: the shared wrappers' subscripts are not inlined
                // across modules, which costs a call per sample.
                let parts = count >= 1 << 20 ? ThreadPolicy.count : 1
                parallelChunks(count, parts: parts) { _, range in
                    for i in range { out.base[i] = Float(from.base[i * channels + channel]) }
                }
            }
        }
    }
}

/// The float result of filtering an image: colour planes and, if the image had one, alpha.
public struct FilteredImage: Sendable {
    /// The colour (or grey) channels, in the image's order.
    public let colour: [Plane<Float>]
    /// The alpha channel, if the image had one.
    public let alpha: Plane<Float>?
    /// The input's largest sample value (255 or 65535), which PNG output keeps.
    public let maxValue: Int

    /// A result of `colour` planes and optional `alpha`, all of one size, from an image whose
    /// largest sample value is `maxValue`.
    package init(colour: [Plane<Float>], alpha: Plane<Float>?, maxValue: Int) {
        self.colour = colour
        self.alpha = alpha
        self.maxValue = maxValue
    }

    /// Height of the result.
    public var rows: Int { colour.first?.rows ?? 0 }
    /// Width of the result.
    public var columns: Int { colour.first?.columns ?? 0 }

    /// The exact float32 result, shape (H, W) for grey or (H, W, C) otherwise, alpha last.
    public func npyArray() throws -> NPYArray {
        let planes = colour + (alpha.map { [$0] } ?? [])
        let pixels = rows * columns
        var values = [Float](repeating: 0, count: pixels * planes.count)
        for (channel, plane) in planes.enumerated() {
            for i in 0..<pixels { values[i * planes.count + channel] = plane.values[i] }
        }
        let shape = planes.count == 1 ? [rows, columns] : [rows, columns, planes.count]
        return try NPYArray(shape: shape, values: .float32(values))
    }

    /// The result as an image with `bitDepth` bits per sample (8 or 16; nil keeps the input's):
    /// colour mapped by `range`, alpha clamped. Written with another bit depth than the
    /// input's, `clamp`, `abs` and `offset` rescale the input's sample range to the output's.
    public func image(range: OutputRange, bitDepth: Int? = nil) throws -> Image {
        let top = outputMaxValue(bitDepth: bitDepth)
        return try image(
            colourMapping: range.mapping(for: colour, maxValue: top, from: maxValue),
            bitDepth: bitDepth)
    }

    /// The largest sample of an output with `bitDepth` bits (nil: the input's).
    package func outputMaxValue(bitDepth: Int?) -> Int {
        bitDepth.map { $0 == 16 ? 65535 : 255 } ?? maxValue
    }

    /// The result as an image with `bitDepth` bits per sample (nil: the input's): colour mapped
    /// by `colourMapping`, alpha clamped and rescaled to the output's range.
    package func image(colourMapping: SampleMapping<Float>, bitDepth: Int? = nil) throws -> Image {
        let top = outputMaxValue(bitDepth: bitDepth)
        let alphaMapping = OutputRange.clamp.mapping(
            for: [Plane<Float>](), maxValue: top, from: maxValue)
        let planes = colour.map { ($0, colourMapping) } + (alpha.map { [($0, alphaMapping)] } ?? [])
        let channels = planes.count
        let pixels = rows * columns
        // Every sample is written once, through unchecked pointers, into an array not zeroed
        // first; eight values are mapped at a time, the last few one by one.
        func interleave<T: FixedWidthInteger>(_ type: T.Type) -> [T] {
            [T](unsafeUninitializedCapacity: pixels * channels) { out, count in
                for (channel, (plane, mapping)) in planes.enumerated() {
                    plane.values.withUnsafeBufferPointer { values in
                        guard let source = values.baseAddress, let base = out.baseAddress else {
                            return
                        }
                        let target = base + channel
                        var i = 0
                        while i + 8 <= pixels {
                            let mapped = mapping(
                                UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self))
                            for lane in 0..<8 {
                                target[(i + lane) * channels] = T(truncatingIfNeeded: mapped[lane])
                            }
                            i += 8
                        }
                        while i < pixels {
                            target[i * channels] = T(truncatingIfNeeded: mapping(source[i]))
                            i += 1
                        }
                    }
                }
                count = pixels * channels
            }
        }
        let samples: Image.Samples =
            top > 255 ? .uint16(interleave(UInt16.self)) : .uint8(interleave(UInt8.self))
        return try Image(width: columns, height: rows, channels: channels, samples: samples)
    }
}
