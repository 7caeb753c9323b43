// Parameter: a trainable tensor with its gradient and the Adam moments that update it.

/// A trainable weight of a layer (kernel or bias) with its accumulated gradient.
public final class Parameter: @unchecked Sendable {
    /// The name within its layer: `kernel` or `bias`.
    public let name: String
    /// Keras shape: `[kh, kw, cin, cout]` for conv kernels, `[inputs, outputs]` for dense, `[n]` for biases.
    public let shape: [Int]
    /// Current values, row-major.
    public var value: [Float]
    /// Gradient of the loss, accumulated by `backward` and cleared by the optimizer.
    public var gradient: [Float]

    init(name: String, shape: [Int], value: [Float]) {
        self.name = name
        self.shape = shape
        self.value = value
        self.gradient = [Float](repeating: 0, count: value.count)
    }

    /// Sets the gradient to zero.
    func zeroGradient() {
        for index in gradient.indices { gradient[index] = 0 }
    }
}
