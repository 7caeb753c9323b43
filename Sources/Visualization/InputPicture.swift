// InputPicture: a model's input (grey or RGB values in 0...1) as an image to draw, and its grey.

import Drawing
import ImageIO

/// A model input drawn as it is: grey values through the grey scale, RGB in colour.
enum InputPicture {
    /// The image of `values`, `shape` `[h, w, 1]` or `[h, w, 3]`, each value clamped to 0...1.
    static func image(_ values: some Collection<Float>, shape: [Int]) throws -> Image {
        guard shape.count == 3, [1, 3].contains(shape[2]),
            values.count == shape.reduce(1, *)
        else {
            throw VisualizationError.badData(
                "an input image needs shape (h, w, 1 or 3) of \(values.count) values, got \(shape)")
        }
        if shape[2] == 1 {
            return try ColorScale(map: .grey, lower: 0, upper: 1).image(
                values: values.map(Double.init), width: shape[1], height: shape[0])
        }
        return try Image(
            width: shape[1], height: shape[0], channels: 3,
            samples: .uint8(values.map { UInt8((min(max($0, 0), 1) * 255).rounded()) }))
    }

    /// The grey of each pixel of `values` of `shape` (`[h, w, c]`): the value itself for one
    /// channel, BT.601 luma for RGB.
    static func grey(_ values: [Float], shape: [Int]) -> [Float] {
        guard shape.count == 3, shape[2] == 3 else { return values }
        return stride(from: 0, to: values.count, by: 3).map {
            0.299 * values[$0] + 0.587 * values[$0 + 1] + 0.114 * values[$0 + 2]
        }
    }

}
