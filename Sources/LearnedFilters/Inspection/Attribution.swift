// Attribution: where a prediction looks: saliency, gradient x input and Grad-CAM for one class score.

/// The three maps that explain one class logit of one input, each `height x width` (the
/// input's size), row by row.
///
/// Definitions (those of Captum and pytorch-grad-cam):
/// - ``saliency``: `|d logit / d input|` (Captum's `Saliency` with `abs=True`); with several
///   input channels, the largest over the channels;
/// - ``gradientTimesInput``: `input * d logit / d input`, signed (Captum's `InputXGradient`),
///   summed over the channels;
/// - ``gradCAM``: on the last convolution layer's output after its activation, `A` (`h x w x K`),
///   the weights `a_k` are the spatial means of `d logit / d A_k` and the map is
///   `ReLU(sum_k a_k A_k)` (``layerCAM``), upsampled to the input size by bilinear
///   interpolation with pixel centres at half-integers (PyTorch's `interpolate` with
///   `align_corners=False`, Captum's `LayerAttribution.interpolate`).
public struct Attribution: Sendable {
    /// The explained class.
    public var target: Int
    /// The model's logits for the input.
    public var logits: [Float]
    /// The class with the largest logit (the lowest index on a tie).
    public var predicted: Int
    public var height: Int
    public var width: Int
    public var saliency: [Float]
    public var gradientTimesInput: [Float]
    public var gradCAM: [Float]
    /// Grad-CAM at the convolution layer's resolution, `layerSize.height x layerSize.width`.
    public var layerCAM: [Float]
    public var layerSize: (height: Int, width: Int)
}

extension Model {
    /// The index of the last convolution layer, which Grad-CAM explains.
    public var lastConvolutionIndex: Int? { layers.lastIndex { $0 is Conv2D } }

    /// The ``Attribution`` maps of each input for its target class (the predicted class where
    /// the target is nil), all from one forward and one backward pass over the batch.
    /// - Parameters:
    ///   - inputs: per-sample inputs of the model's ``Model/imageShape`` `[h, w, c]`, prepared as
    ///     for prediction.
    ///   - targets: one class (or nil) per input.
    ///   - implementation: the fast paths or the reference loops.
    /// - Throws: ``LearnedFiltersError/badInput(_:)`` when the model has no convolution layer,
    ///   its input is not an image, an input has the wrong size or a target is out of range;
    ///   ``LearnedFiltersError/outputNotFinite`` or ``LearnedFiltersError/gradientNotFinite``
    ///   when the logits or the gradients overflow.
    public func attributions(
        of inputs: [[Float]], targets: [Int?], implementation: Implementation = .fast
    ) throws -> [Attribution] {
        let imageShape = self.imageShape
        guard imageShape.count == 3 else {
            throw LearnedFiltersError.badInput(
                "attribution maps need image inputs (h, w, c) or (h, w), the model takes \(inputShape)"
            )
        }
        guard let convolution = lastConvolutionIndex else {
            throw LearnedFiltersError.badInput(
                "Grad-CAM needs a convolution layer, and the model has none")
        }
        let size = inputShape.reduce(1, *)
        guard !inputs.isEmpty, inputs.count == targets.count,
            inputs.allSatisfy({ $0.count == size })
        else {
            throw LearnedFiltersError.badInput(
                "give one target per input, each input of \(size) values (shape \(inputShape))")
        }
        for case let target? in targets where !(0..<classes).contains(target) {
            throw LearnedFiltersError.badInput("class \(target) is not in 0..<\(classes)")
        }
        let batch = Tensor(shape: [inputs.count] + inputShape, values: inputs.flatMap { $0 })
        var chosen = [Int]()
        var logits = [[Float]]()
        let pass = try inputGradient(
            batch, throughLayer: layers.count - 1, capturingLayer: convolution,
            implementation: implementation
        ) { output in
            try Self.requireFinite(output)
            var seed = Tensor(zeros: output.shape)
            for row in 0..<output.batch {
                let target =
                    targets[row] ?? predictedClass(output.values, row: row, classes: classes)
                chosen.append(target)
                logits.append(Array(output.values[row * classes..<(row + 1) * classes]))
                seed.values[row * classes + target] = 1
            }
            return seed
        }
        guard let captured = pass.captured else {
            throw LearnedFiltersError.badInput("the convolution layer's gradient was not kept")
        }
        guard pass.input.values.allSatisfy(\.isFinite),
            captured.gradient.values.allSatisfy(\.isFinite)
        else { throw LearnedFiltersError.gradientNotFinite }
        let (height, width, channels) = (imageShape[0], imageShape[1], imageShape[2])
        let layerShape = Array(captured.output.shape.dropFirst())
        return (0..<inputs.count).map { row in
            let gradient = Array(pass.input.values[row * size..<(row + 1) * size])
            var saliency = [Float](repeating: 0, count: height * width)
            var product = [Float](repeating: 0, count: height * width)
            for pixel in 0..<height * width {
                for channel in 0..<channels {
                    let index = pixel * channels + channel
                    saliency[pixel] = max(saliency[pixel], abs(gradient[index]))
                    product[pixel] += gradient[index] * inputs[row][index]
                }
            }
            let layerCAM = GradCAM.map(
                activations: captured.output.items(row..<row + 1).values,
                gradients: captured.gradient.items(row..<row + 1).values, shape: layerShape)
            return Attribution(
                target: chosen[row], logits: logits[row],
                predicted: predictedClass(logits[row], row: 0, classes: classes),
                height: height, width: width, saliency: saliency, gradientTimesInput: product,
                gradCAM: Bilinear.resize(
                    layerCAM, height: layerShape[0], width: layerShape[1], toHeight: height,
                    toWidth: width),
                layerCAM: layerCAM, layerSize: (layerShape[0], layerShape[1]))
        }
    }
}

/// Grad-CAM's combination of one layer's feature maps.
public enum GradCAM {
    /// `ReLU(sum_k a_k A_k)` with `a_k` the mean of channel `k`'s gradient, for feature maps
    /// and gradients of shape `shape` = `[h, w, K]` (NHWC, one sample). Returns `h x w` values.
    public static func map(activations: [Float], gradients: [Float], shape: [Int]) -> [Float] {
        let pixels = shape[0] * shape[1]
        let channels = shape[2]
        var weights = [Double](repeating: 0, count: channels)
        for pixel in 0..<pixels {
            for channel in 0..<channels {
                weights[channel] += Double(gradients[pixel * channels + channel])
            }
        }
        for channel in 0..<channels { weights[channel] /= Double(pixels) }
        return (0..<pixels).map { pixel in
            var sum = 0.0
            for channel in 0..<channels {
                sum += weights[channel] * Double(activations[pixel * channels + channel])
            }
            return Float(max(sum, 0))
        }
    }
}

/// Bilinear resampling of one plane with pixel centres at half-integers and clamped edges:
/// PyTorch's `interpolate(mode="bilinear", align_corners=False)` without antialiasing, and
/// OpenCV's `INTER_LINEAR`.
public enum Bilinear {
    /// `values` (`height x width`, row by row) resampled to `toHeight x toWidth`.
    public static func resize(
        _ values: [Float], height: Int, width: Int, toHeight: Int, toWidth: Int
    ) -> [Float] {
        let rows = taps(from: height, to: toHeight)
        let columns = taps(from: width, to: toWidth)
        var output = [Float](repeating: 0, count: toHeight * toWidth)
        for (y, row) in rows.enumerated() {
            for (x, column) in columns.enumerated() {
                let top =
                    values[row.0 * width + column.0] * (1 - column.2)
                    + values[row.0 * width + column.1] * column.2
                let bottom =
                    values[row.1 * width + column.0] * (1 - column.2)
                    + values[row.1 * width + column.1] * column.2
                output[y * toWidth + x] = top * (1 - row.2) + bottom * row.2
            }
        }
        return output
    }

    /// For each output position, the two source indices and the weight of the second.
    private static func taps(from size: Int, to target: Int) -> [(Int, Int, Float)] {
        let scale = Double(size) / Double(target)
        return (0..<target).map { position in
            let source = max((Double(position) + 0.5) * scale - 0.5, 0)
            let low = min(Int(source), size - 1)
            let high = min(low + 1, size - 1)
            return (low, high, Float(source - Double(low)))
        }
    }
}
