// Pixels: reading single pixels and whole sample arrays of images for comparisons.

import ConvkitSupport
import ImageIO

extension Image {
    /// An image of seeded uniform noise over every sample value of `bitDepth` (8 or 16).
    public static func noise(width: Int, height: Int, channels: Int, bitDepth: Int, seed: UInt64)
        throws -> Image
    {
        var generator = SeededGenerator(seed: seed)
        let count = width * height * channels
        let samples: Image.Samples =
            bitDepth == 16
            ? .uint16((0..<count).map { _ in UInt16.random(in: 0...65535, using: &generator) })
            : .uint8((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
        return try Image(width: width, height: height, channels: channels, samples: samples)
    }

    /// Every sample widened to Int.
    public var allSamples: [Int] {
        switch samples {
        case .uint8(let v): v.map(Int.init)
        case .uint16(let v): v.map(Int.init)
        }
    }

    /// The RGB of the pixel at (`x`, `y`); grey images repeat their one channel.
    public func rgb(_ x: Int, _ y: Int) -> [Int] {
        (0..<3).map { sample(x: x, y: y, channel: channels < 3 ? 0 : $0) }
    }

    /// The RGBA of the pixel at (`x`, `y`); opaque for images without alpha.
    public func rgba(_ x: Int, _ y: Int) -> [Int] {
        rgb(x, y) + [hasAlpha ? sample(x: x, y: y, channel: channels - 1) : 255]
    }
}

/// The RGB components of a colour's bytes (RGBA or RGB), widened to Int.
public func rgb(_ bytes: [UInt8]) -> [Int] { bytes.prefix(3).map(Int.init) }

/// Whether two 8-bit colours differ by at most `tolerance` in every component.
public func close(_ a: [Int], _ b: [UInt8], tolerance: Int = 1) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - Int($1)) <= tolerance }
}

/// The largest absolute difference relative to the largest magnitude of `b` (at least 1);
/// infinity when the counts differ.
public func relativeError(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    let scale = max(1, b.map(abs).max() ?? 1)
    return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
}
