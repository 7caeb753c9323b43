// DigitImage: turns any PNG into a 28x28 MNIST-style input (white digit on black, centred).

import ImageIO

/// MNIST's preprocessing applied to an arbitrary image.
public enum DigitImage {
    /// The 28x28 values in [0, 1] for `image`. Colour is converted to grey by BT.601 luma. An
    /// image with transparent pixels is read as ink on a transparent background: each pixel's
    /// ink is its opacity, times its grey value for light ink or one minus it for dark ink (as
    /// the opaque pixels are on the whole), so the digit comes out bright on black whatever its
    /// colour. A 28x28 image is then used as it is. Any other image is treated as MNIST's
    /// originals were: dark ink on a light background is inverted (decided by the border's
    /// mean), the ink's bounding box is scaled by area averaging so its longer side is 20
    /// pixels, and placed in a 28x28 frame with its centre of mass at the centre.
    /// - Throws: ``LearnedFiltersError/badInput(_:)`` when the image is one flat value, with no
    ///   digit to find.
    public static func mnistInput(from image: Image, side: Int = 28) throws -> [Float] {
        let grey = image.grayscale()
        let scale = Float(grey.maxSampleValue)
        let count = grey.width * grey.height
        var values = [Float](repeating: 0, count: count)
        var opacity = [Float](repeating: 1, count: count)
        for y in 0..<grey.height {
            for x in 0..<grey.width {
                values[y * grey.width + x] = Float(grey.sample(x: x, y: y, channel: 0)) / scale
                if grey.channels == 2 {
                    opacity[y * grey.width + x] = Float(grey.sample(x: x, y: y, channel: 1)) / scale
                }
            }
        }
        if opacity.contains(where: { $0 < 1 }) {
            let weight = opacity.reduce(0, +)
            let inkMean = zip(values, opacity).reduce(0) { $0 + $1.0 * $1.1 } / max(weight, 1e-6)
            let darkInk = inkMean < 0.5
            values = zip(values, opacity).map { (darkInk ? 1 - $0 : $0) * $1 }
        }
        guard let low = values.min(), let high = values.max(), high > low else {
            throw LearnedFiltersError.badInput("the image is one flat colour: no digit to classify")
        }
        if grey.width == side, grey.height == side { return values }
        return centred(
            values, width: grey.width, height: grey.height, side: side, box: side * 20 / 28)
    }

    static func centred(_ input: [Float], width: Int, height: Int, side: Int, box: Int) -> [Float] {
        var values = input
        var border: Float = 0
        var borderCount = 0
        for y in 0..<height {
            for x in 0..<width where y == 0 || x == 0 || y == height - 1 || x == width - 1 {
                border += values[y * width + x]
                borderCount += 1
            }
        }
        if border / Float(max(borderCount, 1)) > 0.5 { values = values.map { 1 - $0 } }
        let peak = values.max() ?? 0
        var output = [Float](repeating: 0, count: side * side)
        var (minX, minY, maxX, maxY) = (width, height, -1, -1)
        for y in 0..<height {
            for x in 0..<width where values[y * width + x] > 0.1 * peak {
                minX = min(minX, x)
                maxX = max(maxX, x)
                minY = min(minY, y)
                maxY = max(maxY, y)
            }
        }
        let cropWidth = maxX - minX + 1
        let cropHeight = maxY - minY + 1
        let factor = Double(box) / Double(max(cropWidth, cropHeight))
        let targetWidth = max(1, min(side, Int((Double(cropWidth) * factor).rounded())))
        let targetHeight = max(1, min(side, Int((Double(cropHeight) * factor).rounded())))
        // Area averaging: each target pixel is the mean of the source area it covers, sampled
        // on a 4x4 grid of points per target pixel.
        var small = [Float](repeating: 0, count: targetWidth * targetHeight)
        let stepX = Double(cropWidth) / Double(targetWidth)
        let stepY = Double(cropHeight) / Double(targetHeight)
        for ty in 0..<targetHeight {
            for tx in 0..<targetWidth {
                var sum: Float = 0
                for sy in 0..<4 {
                    for sx in 0..<4 {
                        let x = min(
                            width - 1, minX + Int((Double(tx) + (Double(sx) + 0.5) / 4) * stepX))
                        let y = min(
                            height - 1, minY + Int((Double(ty) + (Double(sy) + 0.5) / 4) * stepY))
                        sum += values[y * width + x]
                    }
                }
                small[ty * targetWidth + tx] = sum / 16
            }
        }
        var mass: Float = 0
        var centreX: Float = 0
        var centreY: Float = 0
        for y in 0..<targetHeight {
            for x in 0..<targetWidth {
                let v = small[y * targetWidth + x]
                mass += v
                centreX += v * Float(x)
                centreY += v * Float(y)
            }
        }
        let offsetX = min(
            max(Int((Float(side) / 2 - centreX / max(mass, 1e-6)).rounded()), 0), side - targetWidth
        )
        let offsetY = min(
            max(Int((Float(side) / 2 - centreY / max(mass, 1e-6)).rounded()), 0),
            side - targetHeight)
        for y in 0..<targetHeight {
            for x in 0..<targetWidth {
                output[(y + offsetY) * side + x + offsetX] = small[y * targetWidth + x]
            }
        }
        return output
    }
}
