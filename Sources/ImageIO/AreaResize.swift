// AreaResize: resampling of float images by area averaging (OpenCV's INTER_AREA rule).

/// Resizes interleaved float images by area averaging: each output pixel is the mean of the
/// input over the output pixel's footprint, the input taken as constant over each pixel. When
/// shrinking this averages every input pixel the footprint covers (in part or whole); when
/// enlarging it blends at most two neighbours per axis. Both are what OpenCV's `INTER_AREA`
/// computes when both axes shrink or both grow.
public enum AreaResize {
    /// The taps of one output position along one axis: input indices and their weights (sum 1).
    public struct Taps: Sendable, Equatable {
        /// The input positions read, ascending.
        public var indices: [Int]
        /// The weight of each input position.
        public var weights: [Float]
    }

    /// The taps of each of `output` positions resampled from `input` positions.
    public static func taps(input: Int, output: Int) -> [Taps] {
        let scale = Double(input) / Double(output)
        return (0..<output).map { index in
            let start = Double(index) * scale
            let end = Double(index + 1) * scale
            var taps = Taps(indices: [], weights: [])
            var source = Int(start.rounded(.down))
            while source < input, Double(source) < end {
                let overlap = min(end, Double(source + 1)) - max(start, Double(source))
                if overlap > 1e-12 {
                    taps.indices.append(source)
                    taps.weights.append(Float(overlap / scale))
                }
                source += 1
            }
            return taps
        }
    }

    /// `values` (`width x height` pixels of `channels` samples, interleaved, row by row) resized
    /// to `newWidth x newHeight`, separably: along rows, then along columns.
    /// - Throws: ``ImageIOError/invalidImage(_:)`` for a non-positive size or a wrong value count.
    public static func resize(
        _ values: [Float], width: Int, height: Int, channels: Int, newWidth: Int, newHeight: Int
    ) throws -> [Float] {
        try check(values, width: width, height: height, channels: channels)
        guard newWidth > 0, newHeight > 0 else {
            throw ImageIOError.invalidImage(
                "a resized image needs a positive size, got \(newWidth)x\(newHeight)")
        }
        if width == newWidth, height == newHeight { return values }
        let across = taps(input: width, output: newWidth)
        let down = taps(input: height, output: newHeight)
        var rows = [Float](repeating: 0, count: height * newWidth * channels)
        for y in 0..<height {
            for (x, tap) in across.enumerated() {
                for c in 0..<channels {
                    var sum: Float = 0
                    for (source, weight) in zip(tap.indices, tap.weights) {
                        sum += weight * values[(y * width + source) * channels + c]
                    }
                    rows[(y * newWidth + x) * channels + c] = sum
                }
            }
        }
        var result = [Float](repeating: 0, count: newHeight * newWidth * channels)
        let rowLength = newWidth * channels
        for (y, tap) in down.enumerated() {
            for (source, weight) in zip(tap.indices, tap.weights) {
                for i in 0..<rowLength {
                    result[y * rowLength + i] += weight * rows[source * rowLength + i]
                }
            }
        }
        return result
    }

    /// The naive reference of ``resize(_:width:height:channels:newWidth:newHeight:)``: every
    /// output pixel sums every input pixel weighted by the area the two squares share.
    public static func referenceResize(
        _ values: [Float], width: Int, height: Int, channels: Int, newWidth: Int, newHeight: Int
    ) throws -> [Float] {
        try check(values, width: width, height: height, channels: channels)
        let scaleY = Double(height) / Double(newHeight)
        let scaleX = Double(width) / Double(newWidth)
        func overlap(_ a: Double, _ b: Double, _ pixel: Int) -> Double {
            max(0, min(b, Double(pixel + 1)) - max(a, Double(pixel)))
        }
        var result = [Float](repeating: 0, count: newHeight * newWidth * channels)
        for oy in 0..<newHeight {
            for ox in 0..<newWidth {
                for c in 0..<channels {
                    var sum = 0.0
                    for y in 0..<height {
                        for x in 0..<width {
                            let area =
                                overlap(Double(oy) * scaleY, Double(oy + 1) * scaleY, y)
                                * overlap(Double(ox) * scaleX, Double(ox + 1) * scaleX, x)
                            sum += area * Double(values[(y * width + x) * channels + c])
                        }
                    }
                    result[(oy * newWidth + ox) * channels + c] = Float(sum / (scaleX * scaleY))
                }
            }
        }
        return result
    }

    private static func check(_ values: [Float], width: Int, height: Int, channels: Int) throws {
        guard width > 0, height > 0, channels > 0, values.count == width * height * channels
        else {
            throw ImageIOError.invalidImage(
                "\(width)x\(height)x\(channels) needs \(width * height * channels) values, got \(values.count)"
            )
        }
    }
}
