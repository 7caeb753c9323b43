// PatternOps: the image operations of a pattern search (shift, ascent step, blur) on NHWC batches.

/// The image operations of a pattern search, on a batch of NHWC images.
enum PatternOps {
    /// A batch's shape: images, rows, columns, channels.
    typealias Shape = (count: Int, height: Int, width: Int, channels: Int)

    /// The images shifted by `dy` rows and `dx` columns, wrapping around.
    static func roll(_ values: [Float], _ shape: Shape, _ dy: Int, _ dx: Int) -> [Float] {
        guard dy != 0 || dx != 0 else { return values }
        let (height, width, channels) = (shape.height, shape.width, shape.channels)
        var output = values
        for n in 0..<shape.count {
            for y in 0..<height {
                let sy = ((y - dy) % height + height) % height
                for x in 0..<width {
                    let sx = ((x - dx) % width + width) % width
                    for c in 0..<channels {
                        output[((n * height + y) * width + x) * channels + c] =
                            values[((n * height + sy) * width + sx) * channels + c]
                    }
                }
            }
        }
        return output
    }

    /// One ascent step per image at its `rates[n]`, a fraction `t = rates[n] / fullRate` of a
    /// full step: decay by `1 - t * decay`, add `rates[n]` times the gradient over its root mean
    /// square, clip to 0...1. The whole step (decay included) shrinks with the rate, so a small
    /// enough step is an ascent step.
    static func ascend(
        _ images: inout [Float], gradient: [Float], count: Int, rates: [Float], fullRate: Float,
        decay: Float
    ) {
        let size = images.count / max(count, 1)
        for n in 0..<count {
            let range = n * size..<(n + 1) * size
            var squares: Double = 0
            for index in range { squares += Double(gradient[index]) * Double(gradient[index]) }
            let rms = Float((squares / Double(size)).squareRoot())
            let scale = rms > 0 ? rates[n] / rms : 0
            let keep = 1 - decay * rates[n] / fullRate
            for index in range {
                images[index] = min(max(images[index] * keep + scale * gradient[index], 0), 1)
            }
        }
    }

    /// Moves each image `n` a fraction `amounts[n]` of the way to its 3x3 blur (``blur(_:_:)``).
    static func blur(_ images: inout [Float], _ shape: Shape, amounts: [Float]) {
        var blurred = images
        blur(&blurred, shape)
        let size = images.count / max(shape.count, 1)
        for n in 0..<shape.count {
            for index in n * size..<(n + 1) * size {
                images[index] += amounts[n] * (blurred[index] - images[index])
            }
        }
    }

    /// A 3x3 blur, [1 2 1] / 4 along each axis with clamped edges.
    static func blur(_ images: inout [Float], _ shape: Shape) {
        let (height, width, channels) = (shape.height, shape.width, shape.channels)
        func index(_ n: Int, _ y: Int, _ x: Int, _ c: Int) -> Int {
            ((n * height + min(max(y, 0), height - 1)) * width + min(max(x, 0), width - 1))
                * channels + c
        }
        var rows = images
        for n in 0..<shape.count {
            for y in 0..<height {
                for x in 0..<width {
                    for c in 0..<channels {
                        rows[index(n, y, x, c)] =
                            (images[index(n, y, x - 1, c)] + 2 * images[index(n, y, x, c)]
                                + images[index(n, y, x + 1, c)]) / 4
                    }
                }
            }
        }
        for n in 0..<shape.count {
            for y in 0..<height {
                for x in 0..<width {
                    for c in 0..<channels {
                        images[index(n, y, x, c)] =
                            (rows[index(n, y - 1, x, c)] + 2 * rows[index(n, y, x, c)]
                                + rows[index(n, y + 1, x, c)]) / 4
                    }
                }
            }
        }
    }
}
