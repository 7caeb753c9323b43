// Parameter: a trainable tensor with its gradient and the Adam moments that update it.

/// A weight of a layer (kernel, bias, a normalisation's scale or statistics) with its
/// accumulated gradient.
public final class Parameter: @unchecked Sendable {
    /// The name within its layer: `kernel`, `bias`, `gamma`, `moving_mean`, ...
    public let name: String
    /// False for values that training leaves alone (a batch normalisation's moving statistics):
    /// their gradient stays zero, so Adam's step for them is zero too.
    public let trainable: Bool
    /// Keras shape: `[kh, kw, cin, cout]` for conv kernels, `[inputs, outputs]` for dense, `[n]` for biases.
    public let shape: [Int]
    /// Current values, row-major.
    public var value: [Float]
    /// Gradient of the loss, accumulated by `backward` and cleared by the optimizer.
    public var gradient: [Float]

    init(name: String, shape: [Int], value: [Float], trainable: Bool = true) {
        self.name = name
        self.trainable = trainable
        self.shape = shape
        self.value = value
        self.gradient = [Float](repeating: 0, count: value.count)
    }

    /// Sets the gradient to zero.
    func zeroGradient() {
        for index in gradient.indices { gradient[index] = 0 }
    }
}
