// ConvGeometry: the sizes, padding, stride and dilation of one 2-D convolution or pooling window.

import ConvkitSupport
import Convolution

/// Padding modes with Keras' meaning.
public enum KerasPadding: String, Sendable, CaseIterable {
    /// No padding: only windows that fit inside the input.
    case valid
    /// Output size `ceil(input / stride)`, padding split with the smaller half before, as in
    /// Keras and TensorFlow.
    case same
}

/// The geometry of a 2-D window operation over an NHWC batch, per sample.
package struct ConvGeometry: Sendable, Equatable {
    package var inputHeight: Int, inputWidth: Int, inputChannels: Int
    package var kernelHeight: Int, kernelWidth: Int
    package var strideY: Int, strideX: Int
    package var dilationY: Int, dilationX: Int
    package var padTop: Int, padLeft: Int
    package var outputHeight: Int, outputWidth: Int

    /// Resolves `padding` into explicit amounts and computes the output size with
    /// `convolutionOutputSize`, the one formula shared with the convolution module.
    package init(
        inputHeight: Int, inputWidth: Int, inputChannels: Int, kernelHeight: Int, kernelWidth: Int,
        strideY: Int = 1, strideX: Int = 1, dilationY: Int = 1, dilationX: Int = 1,
        padding: KerasPadding
    ) {
        // Plain stores of the given sizes; the padding and output size are derived below.
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.inputChannels = inputChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideY = strideY
        self.strideX = strideX
        self.dilationY = dilationY
        self.dilationX = dilationX
        let (top, bottom) = ConvGeometry.padding(
            padding, input: inputHeight, kernel: kernelHeight, stride: strideY, dilation: dilationY)
        let (left, right) = ConvGeometry.padding(
            padding, input: inputWidth, kernel: kernelWidth, stride: strideX, dilation: dilationX)
        padTop = top
        padLeft = left
        outputHeight = convolutionOutputSize(
            input: inputHeight, kernel: kernelHeight, stride: strideY, dilation: dilationY,
            paddingBefore: top, paddingAfter: bottom)
        outputWidth = convolutionOutputSize(
            input: inputWidth, kernel: kernelWidth, stride: strideX, dilation: dilationX,
            paddingBefore: left, paddingAfter: right)
    }

    /// Keras 'same': total padding so that the output is `ceil(i/s)`, smaller half before.
    static func padding(_ mode: KerasPadding, input: Int, kernel: Int, stride: Int, dilation: Int)
        -> (
            Int, Int
        )
    {
        guard mode == .same else { return (0, 0) }
        let output = (input + stride - 1) / stride
        let total = max(
            (output - 1) * stride + dilatedKernelSpan(kernel: kernel, dilation: dilation) - input, 0
        )
        return (total / 2, total - total / 2)
    }

    /// Values per input sample.
    package var inputSize: Int { inputHeight * inputWidth * inputChannels }
    /// Output pixels per sample.
    package var outputPixels: Int { outputHeight * outputWidth }
    /// Kernel taps per input channel.
    package var taps: Int { kernelHeight * kernelWidth }
}

extension ConvGeometry {
    /// The windows of the pooling layer `layer`, described by `spec` (max or average pooling),
    /// over a per-sample input `(h, w, c)`.
    /// - Throws: ``LearnedFiltersError/badShape(_:)`` when `spec` is not a pooling, the input is
    ///   not `(h, w, c)` or the pool does not fit it.
    init(pooling layer: String, spec: LayerSpec, inputShape: [Int]) throws {
        let pool: [Int]
        let strides: [Int]
        let padding: KerasPadding
        switch spec {
        case .maxPool2d(let size, let step, let mode), .averagePool2d(let size, let step, let mode):
            (pool, strides, padding) = (size, step, mode)
        default:
            throw LearnedFiltersError.badShape("\(layer) is not pooling")
        }
        guard inputShape.count == 3 else {
            throw LearnedFiltersError.badShape(
                "\(layer) needs an input of shape (h, w, c), got \(inputShape)")
        }
        self.init(
            inputHeight: inputShape[0], inputWidth: inputShape[1], inputChannels: inputShape[2],
            kernelHeight: pool[0], kernelWidth: pool[1], strideY: strides[0], strideX: strides[1],
            padding: padding)
        guard outputHeight > 0, outputWidth > 0 else {
            throw LearnedFiltersError.badShape(
                "\(layer): a \(pool[0])x\(pool[1]) pool does not fit the input \(inputShape)")
        }
    }

    /// A convolution's or pooling layer's per-sample input shape: `[h, w, c]`.
    var inputShape: [Int] { [inputHeight, inputWidth, inputChannels] }
    /// A pooling layer's per-sample output shape: `[oh, ow, c]`.
    var pooledShape: [Int] { [outputHeight, outputWidth, inputChannels] }
}
