// Dropout: inverted dropout, active only in training, with masks drawn from the step's seed.

import ConvkitSupport

/// Zeroes each value with probability `rate` in training and scales the rest by
/// `1 / (1 - rate)`, so inference needs no scaling (Keras and PyTorch semantics). The mask
/// comes from the forward options' seed mixed with the layer's position, so a seeded run and a
/// resumed run draw the same masks.
public final class Dropout: Layer {
    public var name: String
    public let spec: LayerSpec
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    public let rate: Float
    public var parameters: [Parameter] { [] }
    private let position: UInt64
    private var mask = [Float]()

    init(name: String, spec: LayerSpec, inputShape: [Int], position: Int) throws {
        guard case .dropout(let rate) = spec else {
            throw LearnedFiltersError.badShape("\(name) is not dropout")
        }
        self.name = name
        self.spec = spec
        self.inputShape = inputShape
        self.rate = rate
        self.position = UInt64(position)
    }

    public func forward(_ input: Tensor, options: ForwardOptions) -> Tensor {
        guard options.training, rate > 0 else {
            mask = []
            return input
        }
        var generator = SeededGenerator(
            seed: options.seed ^ (0xD1B5_4A32_D192_ED03 &* (position + 1)))
        let scale = 1 / (1 - rate)
        mask = (0..<input.values.count).map { _ in generator.nextUnitFloat() < rate ? 0 : scale }
        var output = input
        for index in output.values.indices { output.values[index] *= mask[index] }
        return output
    }

    public func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool)
        -> Tensor?
    {
        guard needInputGradient else { return nil }
        guard !mask.isEmpty else { return outputGradient }
        var gradient = outputGradient
        for index in gradient.values.indices { gradient.values[index] *= mask[index] }
        return gradient
    }
}
