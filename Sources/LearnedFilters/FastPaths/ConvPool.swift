// ConvPool: a convolution and the max pooling after it, run as one pass on the fast path.

/// A ``Conv2D`` followed by a ``MaxPool2D`` whose windows tile the convolution's output
/// (stride equal to the pool size, no padding), run together so that the convolution's output
/// never goes to memory: forward computes the output rows under one row of windows and pools
/// them at once; backward rebuilds each output row's gradient from the pooled gradient and the
/// winning positions. The arithmetic and its order are those of the two layers one after the
/// other, so the results are the same to the bit. Fused passes exist for ``ConvDirect`` (one
/// input channel) and for ``ConvWinograd`` under a 2x2 pool, whose windows are its output
/// tiles; the model keeps the layers separate where it must return the convolution's own output.
///
/// Kept because it still wins with the band pooling kernels of the layers apart: one epoch of
/// the tutorial network (`scripts/bench-fast-paths.sh 2`, medians of 2 runs, quiet AMD EPYC)
/// took 9.53 s fused against 11.91 s apart on 1 thread (20% less), and 5.52 s against 6.72 s
/// on 2 threads (18% less), with the same test accuracy.
final class ConvPool {
    let conv: Conv2D
    let pool: MaxPool2D
    private var lastInput = Tensor(zeros: [0])
    private var lastPooled = [Float]()
    private var lastArgmax = [Float]()

    /// The pair, or nil when the convolution has no fused pass, its activation is not linear
    /// or relu, or the pool's windows do not tile its output.
    init?(_ conv: Conv2D, _ pool: MaxPool2D) {
        guard conv.activation == .linear || conv.activation == .relu else { return nil }
        switch conv.fastPath {
        case .direct where MaxPoolKernels.tilesInput(pool.geometry): break
        case .winograd where ConvWinograd.tilesArePoolWindows(pool.geometry): break
        default: return nil
        }
        self.conv = conv
        self.pool = pool
    }

    /// The pooled output `[batch] + pool.outputShape` of a batch `[batch] + conv.inputShape`.
    func forward(_ input: Tensor) -> Tensor {
        let batch = input.batch
        var pooled = uninitializedFloats(batch * pool.geometry.outputPixels * conv.filters)
        var argmax = uninitializedFloats(pooled.count)
        let forwardPooled =
            conv.fastPath == .winograd ? ConvWinograd.forwardPooled : ConvDirect.forwardPooled
        forwardPooled(
            input.values, conv.kernel.value, conv.bias.value, &pooled, &argmax, batch,
            conv.geometry, pool.geometry, conv.filters, conv.activation == .relu)
        lastInput = input
        lastPooled = pooled
        lastArgmax = argmax
        return Tensor(shape: [batch] + pool.outputShape, values: pooled)
    }

    /// Adds the convolution's kernel and bias gradients for the gradient of the last forward's
    /// pooled output, and returns the convolution's input gradient when asked.
    func backward(_ pooledGradient: Tensor, needInputGradient: Bool) -> Tensor? {
        var inputGradient: [Float]? =
            needInputGradient ? [Float](repeating: 0, count: lastInput.values.count) : nil
        let backwardPooled =
            conv.fastPath == .winograd ? ConvWinograd.backwardPooled : ConvDirect.backwardPooled
        backwardPooled(
            lastInput.values, conv.kernel.value, pooledGradient.values, lastPooled, lastArgmax,
            &conv.kernel.gradient, &conv.bias.gradient, &inputGradient, lastInput.batch,
            conv.geometry, pool.geometry, conv.filters, conv.activation == .relu)
        return inputGradient.map { Tensor(shape: lastInput.shape, values: $0) }
    }
}
