// Conv2D: Keras' 2-D convolution layer (cross-correlation), NHWC, kernel (kh, kw, cin, cout).

import ConvkitSupport

/// A 2-D convolution with stride, dilation, same/valid padding and an activation (ReLU fused
/// into the convolution's loops, the others applied after it by `ActivationStage`).
///
/// Input `[batch, h, w, cin]`, kernel `[kh, kw, cin, cout]`, bias `[cout]`, output
/// `[batch, oh, ow, cout]` with `oh`, `ow` from `ConvGeometry`. The fast pass, forward and
/// backward, is the one `FastPath` (below) gives the geometry; the reference path is
/// `ReferenceOps/convForward(input:kernel:bias:batch:geometry:filters:)`.
public final class Conv2D: Layer {
    /// The convolution's unique name in its model: `conv2d`, `conv2d_1`, ...
    public var name: String
    /// The convolution as an architecture entry (see ``LayerSpec``).
    public let spec: LayerSpec
    /// Per-sample input shape of the convolution.
    public var inputShape: [Int] { geometry.inputShape }
    /// Per-sample output shape: `[oh, ow, filters]`, `oh` and `ow` from the stride, dilation and
    /// padding.
    public var outputShape: [Int] { [geometry.outputHeight, geometry.outputWidth, filters] }
    /// The weights, `[kh, kw, cin, filters]` (Keras layout).
    public let kernel: Parameter
    /// One bias per filter, `[filters]`.
    public let bias: Parameter
    package let geometry: ConvGeometry
    /// Number of output channels.
    public let filters: Int
    /// The activation applied after the bias (none or ReLU).
    public let activation: Activation
    /// Trainable parameters: `[kernel, bias]`, in Keras order.
    public var parameters: [Parameter] { [kernel, bias] }

    let fastPath: FastPath
    private var lastInput = Tensor(zeros: [0])
    private var lastOutput = Tensor(zeros: [0])
    private var activationStage: ActivationStage

    init(name: String, spec: LayerSpec, inputShape: [Int], generator: inout SeededGenerator) throws
    {
        guard
            case .conv2d(
                let filters, let kernelSize, let strides, let dilation, let padding, let activation) =
                spec
        else {
            throw LearnedFiltersError.badShape("\(name) is not a convolution")
        }
        guard inputShape.count == 3 else {
            throw LearnedFiltersError.badShape(
                "\(name) needs an input of shape (h, w, c), got \(inputShape)")
        }
        let geometry = ConvGeometry(
            inputHeight: inputShape[0], inputWidth: inputShape[1], inputChannels: inputShape[2],
            kernelHeight: kernelSize[0], kernelWidth: kernelSize[1], strideY: strides[0],
            strideX: strides[1],
            dilationY: dilation[0], dilationX: dilation[1], padding: padding)
        guard geometry.outputHeight > 0, geometry.outputWidth > 0 else {
            throw LearnedFiltersError.badShape(
                "\(name): a \(kernelSize[0])x\(kernelSize[1]) kernel does not fit the input \(inputShape)"
            )
        }
        self.name = name
        self.spec = spec
        (self.geometry, self.filters, self.activation) = (geometry, filters, activation)
        activationStage = ActivationStage(activation, width: filters)
        fastPath = FastPath(geometry, filters: filters)
        let fanIn = geometry.taps * geometry.inputChannels
        let fanOut = geometry.taps * filters
        kernel = Parameter(
            name: "kernel", shape: [kernelSize[0], kernelSize[1], inputShape[2], filters],
            value: glorotUniform(
                count: fanIn * filters, fanIn: fanIn, fanOut: fanOut, generator: &generator))
        bias = Parameter(
            name: "bias", shape: [filters], value: [Float](repeating: 0, count: filters))
    }

    /// Cross-correlates a batch with the kernel, adds the bias and applies the activation; keeps
    /// the input and output for ``backward(_:options:needInputGradient:)``.
    public func forward(_ input: Tensor, options: ForwardOptions) -> Tensor {
        lastInput = input
        let batch = input.batch
        var output: [Float]
        switch options.implementation {
        case .reference:
            output = ReferenceOps.convForward(
                input: input.values, kernel: kernel.value, bias: bias.value, batch: batch,
                geometry: geometry, filters: filters)
            if activation == .relu { output = ReferenceOps.relu(output) }
        case .fast:
            output = uninitializedFloats(batch * geometry.outputPixels * filters)
            let forward =
                switch fastPath {
                case .direct: ConvDirect.forward
                case .winograd: ConvWinograd.forward
                case .lowered: ConvLowered.forward
                }
            forward(
                input.values, kernel.value, bias.value, &output, batch, geometry, filters,
                activation == .relu)
        }
        activationStage.forward(&output)
        lastOutput = Tensor(shape: [batch] + outputShape, values: output)
        return lastOutput
    }

    /// Adds the kernel and bias gradients of the last forward pass (through the activation) and
    /// returns the input gradient when asked.
    public func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool)
        -> Tensor?
    {
        let batch = lastInput.batch
        let outputGradient = activationStage.backward(outputGradient)
        switch options.implementation {
        case .reference:
            let gradient =
                activation == .relu
                ? ReferenceOps.reluBackward(
                    output: lastOutput.values, outputGradient: outputGradient.values)
                : outputGradient.values
            let grads = ReferenceOps.convBackward(
                input: lastInput.values, kernel: kernel.value, outputGradient: gradient,
                batch: batch, geometry: geometry, filters: filters)
            accumulate(grads, into: kernel, bias)
            return needInputGradient ? Tensor(shape: lastInput.shape, values: grads.input) : nil
        case .fast:
            var inputGradient: [Float]? =
                needInputGradient ? [Float](repeating: 0, count: lastInput.values.count) : nil
            let backward =
                switch fastPath {
                case .direct: ConvDirect.backward
                case .winograd: ConvWinograd.backward
                case .lowered: ConvLowered.backward
                }
            backward(
                lastInput.values, kernel.value, outputGradient.values,
                activation == .relu ? lastOutput.values : nil,
                &kernel.gradient, &bias.gradient, &inputGradient, batch, geometry, filters)
            return inputGradient.map { Tensor(shape: lastInput.shape, values: $0) }
        }
    }
}

/// The fast implementation a convolution's geometry gets: the one table of which pass runs for
/// which geometry and on which processor. Every pass is tested against
/// ``ReferenceOps`` and the PyTorch fixtures; the AVX2 and portable loops against each other.
///
/// - ``ConvDirect``: one input channel. AVX-512 rows (16 filters a register) with a multiple
///   of 16 filters, else AVX2 + FMA rows with a multiple of 8, else portable SIMD. Reason: a
///   product over one channel has an inner dimension of only the taps (9 for 3x3). The
///   16-lane rows give the 8-lane rows' bits; relative to OpenBLAS's time in the same runs of
///   `convkit evaluate` (1 thread, loaded machine), they took the tutorial's first layer's
///   forward row to 0.61 of its time and its pooling band to 0.78.
/// - ``ConvWinograd``, F(2x2, 3x3) over 16 `cblas_sgemm` per block: 3x3, stride 1, no
///   dilation, at least 8 channels and 8 filters. AVX2 tile transforms with multiples of 8
///   channels and filters, else portable (an AVX-512 input tile, same bits, measured 1.3 times
///   slower than the AVX2 one in the same runs, so not kept). Reason: on batches of 256,
///   forward and backward, 2.5 times faster than im2col on the tutorial's 14x14x32->64, 1.7
///   times on 14x14x8->16, 1.1 times on 7x7x32->32; with fewer than 8 channels or filters its
///   16 thin products lose (0.4 times on 14x14x4->8, 0.3 times on 6x6x4->6).
/// - ``ConvLowered``, im2col + `cblas_sgemm`: everything else, on OpenBLAS's kernels (SkylakeX
///   or Haswell after ``BLASCore``'s restart).
/// - ``ConvPool``, the direct pass under any max pooling whose windows tile its output, or the
///   Winograd pass under a 2x2 pool at stride 2: the two layers as one pass. Reason: an epoch
///   of the tutorial network 20% shorter than with the layers apart (figures in its doc
///   comment).
///
/// What each row saves, switched off in turn by `scripts/bench-fast-paths.sh 2` (one epoch of
/// the tutorial network, 9.53 s on 1 thread and 5.52 s on 2 as it is, AMD EPYC Zen 4, quiet):
/// the Winograd pass 11.17 s and 5.67 s against im2col; the one-channel direct pass 6.37 s and
/// 3.26 s; the C kernels 19.57 s and 9.61 s against the portable loops; fusion 2.38 s and
/// 1.20 s; the 16-lane rows 0.25 s and nothing (this core runs 512-bit operations as two
/// 256-bit halves).
///
/// F(4x4, 3x3) (Lavin and Gray's points 0, +-1, +-2 and infinity) is not used: on the
/// tutorial's 14x14 second layer its 4x4 output tiles cover 16x16, so 16 tiles of 36 products
/// (576 per channel pair) replace 49 tiles of 16 (784), 1.36 times fewer multiplications
/// instead of the 1.78 times of an exact fit, for 2.25 times larger tile transforms whose
/// coefficients (up to 8 and down to 1/24, against 1 and 1/2) round more in float32. Measured
/// on that layer over 256 MNIST test images with the weights of a one-epoch run: its largest
/// error against float64 was 4.0e-6 of the largest output (rms 1.4e-7), F(2x2)'s 2.7e-7 (rms
/// 3.1e-8), im2col's 4.1e-7 (He-initialised weights: 6.0e-6 against 3.2e-7). Its forward
/// pass (portable SIMD transforms, kernel transform in float64) took 0.87 to 1.04 times the
/// CPU time of F(2x2)'s with AVX2 transforms, mostly 0.93 to 0.95 (batches of 256, 1 and 2
/// threads, three runs of 15 to 21, loaded machine): within the noise of a 5% win, on one
/// layer's forward pass only, for about 15 times the error.
enum FastPath {
    /// ``ConvDirect``.
    case direct
    /// ``ConvWinograd``.
    case winograd
    /// ``ConvLowered``.
    case lowered

    /// The pass of the table above for a convolution.
    init(_ geometry: ConvGeometry, filters: Int) {
        if geometry.inputChannels == 1 {
            self = .direct
        } else if ConvWinograd.supports(geometry), geometry.inputChannels >= 8, filters >= 8 {
            self = .winograd
        } else {
            self = .lowered
        }
    }
}

/// Adds a reference backward pass's kernel and bias gradients to the parameters' gradients.
func accumulate(
    _ grads: (input: [Float], kernel: [Float], bias: [Float]), into kernel: Parameter,
    _ bias: Parameter
) {
    for index in grads.kernel.indices { kernel.gradient[index] += grads.kernel[index] }
    for index in grads.bias.indices { bias.gradient[index] += grads.bias[index] }
}

/// Keras' glorot-uniform initialiser: uniform in ±sqrt(6 / (fanIn + fanOut)).
func glorotUniform(count: Int, fanIn: Int, fanOut: Int, generator: inout SeededGenerator) -> [Float]
{
    let limit = (6.0 / Float(fanIn + fanOut)).squareRoot()
    return (0..<count).map { _ in (generator.nextUnitFloat() * 2 - 1) * limit }
}
