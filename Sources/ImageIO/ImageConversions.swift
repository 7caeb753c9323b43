// ImageConversions: bit-depth and channel-layout changes between Image values.

extension Image {
    /// The same image with samples at `depth` bits (8 or 16), scaled so that full scale maps to
    /// full scale (v16 = v8 * 257; v8 = round(v16 / 257)). The PNG storage it was read from is
    /// dropped even when the samples are already `depth` bits, so that a palette or 1-, 2- or
    /// 4-bit grey image is then written with `depth`-bit samples, as asked.
    public func converted(toBitDepth depth: Int) -> Image {
        var copy = self
        switch (samples, depth) {
        case (.uint8(let values), 16):
            copy.samples = .uint16(values.map { UInt16($0) * 257 })
        case (.uint16(let values), 8):
            copy.samples = .uint8(values.map { UInt8((UInt32($0) + 128) / 257) })
        default:
            break
        }
        copy.source = nil
        return copy
    }

    /// The image as grey (keeping alpha if present), with the ITU-R BT.601 luma weights in the
    /// fixed-point form of Pillow's `convert("L")`: L = (19595 R + 38470 G + 7471 B + 32768) >> 16.
    public func grayscale() -> Image {
        guard channels >= 3 else { return self }
        let keepAlpha = channels == 4
        let outChannels = keepAlpha ? 2 : 1
        let pixelCount = width * height
        func convert<T: FixedWidthInteger & UnsignedInteger>(_ values: [T]) -> [T] {
            var result = [T](repeating: 0, count: pixelCount * outChannels)
            for pixel in 0..<pixelCount {
                let base = pixel * channels
                let luma =
                    (19595 * UInt64(values[base]) + 38470 * UInt64(values[base + 1]) + 7471
                        * UInt64(values[base + 2]) + 32768) >> 16
                result[pixel * outChannels] = T(luma)
                if keepAlpha { result[pixel * outChannels + 1] = values[base + 3] }
            }
            return result
        }
        let newSamples: Samples
        switch samples {
        case .uint8(let values): newSamples = .uint8(convert(values))
        case .uint16(let values): newSamples = .uint16(convert(values))
        }
        // Sizes are unchanged and valid, so this initialiser cannot fail.
        return
            (try? Image(width: width, height: height, channels: outChannels, samples: newSamples))
            ?? self
    }
}
