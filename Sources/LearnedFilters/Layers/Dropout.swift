// Dropout: inverted dropout, active only in training, with masks drawn from the step's seed.

import ConvkitSupport

/// Zeroes each value with probability `rate` in training and scales the rest by
/// `1 / (1 - rate)`, so inference needs no scaling (Keras and PyTorch semantics). The mask
/// comes from the forward options' seed mixed with the layer's position, so a seeded run and a
/// resumed run draw the same masks.
public final class Dropout: Layer {
    /// The dropout's unique name in its model: `dropout`, `dropout_1`, ...
    public var name: String
    /// The dropout as an architecture entry (see ``LayerSpec``).
    public let spec: LayerSpec
    /// Per-sample input shape of the dropout.
    public let inputShape: [Int]
    /// Per-sample output shape: the input shape, unchanged.
    public var outputShape: [Int] { inputShape }
    /// Probability of zeroing each value in training, in [0, 1).
    public let rate: Float
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

    /// In training, zeroes values with probability ``rate`` and scales the rest; otherwise the
    /// input unchanged.
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

    /// The output gradient through the last training mask (unchanged outside training).
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
