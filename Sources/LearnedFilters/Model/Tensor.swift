// Tensor: a batch of float32 values with a shape, NHWC like Keras.

/// A dense float32 array with a shape, stored row-major.
///
/// Batches of images are NHWC: `[batch, height, width, channels]`; flat features are
/// `[batch, features]`. Convolution kernels are `[kh, kw, cin, cout]` and dense kernels
/// `[inputs, outputs]`, as in Keras, so exported weights load into Keras without transposition.
public struct Tensor: Sendable, Equatable {
    /// Sizes of each axis, outermost first.
    public var shape: [Int]
    /// The values, row-major; `values.count` is the product of `shape`.
    public var values: [Float]

    /// A tensor of the given shape; `values` must hold exactly the product of `shape` elements.
    public init(shape: [Int], values: [Float]) {
        precondition(
            shape.reduce(1, *) == values.count,
            "tensor shape \(shape) does not match \(values.count) values")
        self.shape = shape
        self.values = values
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.shape = shape
        self.values = [Float](repeating: 0, count: shape.reduce(1, *))
    }

    /// Size of the first axis (the batch).
    public var batch: Int { shape.first ?? 0 }

    /// Elements per batch item.
    public var itemSize: Int { shape.dropFirst().reduce(1, *) }

    /// The items `range` of the first axis.
    public func items(_ range: Range<Int>) -> Tensor {
        let size = itemSize
        return Tensor(
            shape: [range.count] + shape.dropFirst(),
            values: Array(values[range.lowerBound * size..<range.upperBound * size]))
    }
}

/// An array of `count` floats whose every element the caller overwrites before reading.
func uninitializedFloats(_ count: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        initialized = count
    }
}
