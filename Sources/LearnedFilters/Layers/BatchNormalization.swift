// BatchNormalization: Keras' BatchNormalization in its inference form, over the last axis.

/// `gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta` per channel (the last
/// axis), computed as TensorFlow does: `x * s + (beta - moving_mean * s)` with
/// `s = gamma / sqrt(moving_variance + epsilon)`.
///
/// The statistics are fixed: training updates `gamma` and `beta` only, with the moving mean
/// and variance as loaded (what Keras does for a BatchNormalization layer that is not
/// trainable, and PyTorch for one in `eval()` mode). A new layer starts as the identity:
/// gamma 1, beta 0, mean 0, variance 1. Parameters in Keras order: `gamma`, `beta`,
/// `moving_mean`, `moving_variance` (the last two not trainable), each `[channels]`.
public final class BatchNormalization: Layer {
    /// The normalization's unique name in its model: `batch_normalization`, ...
    public var name: String
    /// The normalization as an architecture entry (see ``LayerSpec``).
    public let spec: LayerSpec
    /// Per-sample input shape of the normalization.
    public let inputShape: [Int]
    /// Per-sample output shape: the input shape, unchanged.
    public var outputShape: [Int] { inputShape }
    /// Added to the variance before its square root.
    public let epsilon: Float
    /// Per-channel scale, `[channels]` (trained).
    public let gamma: Parameter
    /// Per-channel shift, `[channels]` (trained).
    public let beta: Parameter
    /// Per-channel mean, `[channels]` (fixed).
    public let movingMean: Parameter
    /// Per-channel variance, `[channels]` (fixed).
    public let movingVariance: Parameter
    /// Trainable parameters: `[gamma, beta, moving_mean, moving_variance]`, in Keras order; the
    /// last two are not trained.
    public var parameters: [Parameter] { [gamma, beta, movingMean, movingVariance] }

    private var lastInput = Tensor(zeros: [0])

    init(name: String, spec: LayerSpec, inputShape: [Int]) throws {
        guard case .batchNormalization(let epsilon) = spec else {
            throw LearnedFiltersError.badShape("\(name) is not batch normalization")
        }
        guard let channels = inputShape.last, channels > 0 else {
            throw LearnedFiltersError.badShape("\(name) needs an input with channels")
        }
        self.name = name
        self.spec = spec
        self.inputShape = inputShape
        self.epsilon = epsilon
        func vector(_ name: String, _ value: Float, trainable: Bool) -> Parameter {
            Parameter(
                name: name, shape: [channels],
                value: [Float](repeating: value, count: channels), trainable: trainable)
        }
        gamma = vector("gamma", 1, trainable: true)
        beta = vector("beta", 0, trainable: true)
        movingMean = vector("moving_mean", 0, trainable: false)
        movingVariance = vector("moving_variance", 1, trainable: false)
    }

    private var channels: Int { gamma.value.count }

    /// Per channel: the factor `s` and the shift `beta - mean * s`.
    private func scaleAndShift() -> (scale: [Float], shift: [Float]) {
        var scale = [Float](repeating: 0, count: channels)
        var shift = scale
        for ch in 0..<channels {
            scale[ch] = gamma.value[ch] / (movingVariance.value[ch] + epsilon).squareRoot()
            shift[ch] = beta.value[ch] - movingMean.value[ch] * scale[ch]
        }
        return (scale, shift)
    }

    /// Scales and shifts every channel with the fixed statistics (the same in training and
    /// inference).
    public func forward(_ input: Tensor, options: ForwardOptions) -> Tensor {
        lastInput = input
        let (scale, shift) = scaleAndShift()
        let channels = channels
        var output = input
        for index in output.values.indices {
            let ch = index % channels
            output.values[index] = input.values[index] * scale[ch] + shift[ch]
        }
        return output
    }

    /// Adds the `gamma` and `beta` gradients and returns the input gradient, the channel scale
    /// times the output gradient.
    public func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool)
        -> Tensor?
    {
        let (scale, _) = scaleAndShift()
        let channels = channels
        for index in outputGradient.values.indices {
            let ch = index % channels
            let dy = outputGradient.values[index]
            let inverse = 1 / (movingVariance.value[ch] + epsilon).squareRoot()
            gamma.gradient[ch] += dy * (lastInput.values[index] - movingMean.value[ch]) * inverse
            beta.gradient[ch] += dy
        }
        guard needInputGradient else { return nil }
        var dx = outputGradient
        for index in dx.values.indices { dx.values[index] *= scale[index % channels] }
        return dx
    }
}
