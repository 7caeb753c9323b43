// ReferenceOps: plain-loop forward and backward of every layer, generic so tests can run them
// in Double for finite differences. The fast paths are tested against these.

import Foundation

/// The plain implementations of the layers' arithmetic: direct loops, no lowering, no SIMD.
package enum ReferenceOps {
    /// Cross-correlation (Keras Conv2D, `torch.nn.functional.conv2d`) of NHWC `input` with
    /// kernel `[kh, kw, cin, cout]` plus `bias`: returns `[batch, oh, ow, cout]` before activation.
    package static func convForward<T: BinaryFloatingPoint>(
        input: [T], kernel: [T], bias: [T], batch: Int,
        geometry g: ConvGeometry, filters: Int
    ) -> [T] {
        var output = [T](repeating: 0, count: batch * g.outputPixels * filters)
        forEachConvTap(
            batch: batch, geometry: g, filters: filters,
            sum: { o, f in output[o] = bias[f] },
            tap: { o, x, w in output[o] += input[x] * kernel[w] })
        return output
    }

    /// Gradients of ``convForward(input:kernel:bias:batch:geometry:filters:)`` given the output
    /// gradient (before activation): returns the input, kernel and bias gradients.
    package static func convBackward<T: BinaryFloatingPoint>(
        input: [T], kernel: [T], outputGradient: [T], batch: Int,
        geometry g: ConvGeometry, filters: Int
    )
        -> (input: [T], kernel: [T], bias: [T])
    {
        var dInput = [T](repeating: 0, count: input.count)
        var dKernel = [T](repeating: 0, count: kernel.count)
        var dBias = [T](repeating: 0, count: filters)
        forEachConvTap(
            batch: batch, geometry: g, filters: filters,
            sum: { o, f in dBias[f] += outputGradient[o] },
            tap: { o, x, w in
                let dy = outputGradient[o]
                dKernel[w] += input[x] * dy
                dInput[x] += kernel[w] * dy
            })
        return (dInput, dKernel, dBias)
    }

    /// The loops both convolution passes share: `sum(o, f)` once per output value `o` of filter
    /// `f` (by sample, output row, column, filter), then `tap(o, x, w)` for each of its taps
    /// that lies inside the input (by kernel row, column, input channel), with the flat indices
    /// of the input value `x` and the weight `w`.
    private static func forEachConvTap(
        batch: Int, geometry g: ConvGeometry, filters: Int, sum: (_ o: Int, _ f: Int) -> Void,
        tap: (_ o: Int, _ x: Int, _ w: Int) -> Void
    ) {
        for n in 0..<batch {
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    let outBase = ((n * g.outputHeight + oy) * g.outputWidth + ox) * filters
                    for f in 0..<filters {
                        sum(outBase + f, f)
                        forEachTapInside(g, n: n, oy: oy, ox: ox) { ky, kx, pixel in
                            for c in 0..<g.inputChannels {
                                tap(
                                    outBase + f, pixel * g.inputChannels + c,
                                    ((ky * g.kernelWidth + kx) * g.inputChannels + c) * filters + f)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Calls `body(ky, kx, pixel)` for each kernel tap of output cell (`oy`, `ox`) of sample `n`
    /// that lies inside the input, by kernel row then column, with the flat index of the input
    /// pixel it reads (padded cells are skipped).
    private static func forEachTapInside(
        _ g: ConvGeometry, n: Int, oy: Int, ox: Int,
        _ body: (_ ky: Int, _ kx: Int, _ pixel: Int) -> Void
    ) {
        for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideY - g.padTop + ky * g.dilationY
            if iy < 0 || iy >= g.inputHeight { continue }
            for kx in 0..<g.kernelWidth {
                let ix = ox * g.strideX - g.padLeft + kx * g.dilationX
                if ix < 0 || ix >= g.inputWidth { continue }
                body(ky, kx, (n * g.inputHeight + iy) * g.inputWidth + ix)
            }
        }
    }

    /// Max pooling over NHWC windows (`torch.nn.MaxPool2d`, Keras MaxPooling2D); padded cells
    /// never win. Returns the output and, per output value, the flat input index of the first
    /// maximum in row-major window order (where the gradient goes).
    package static func maxPoolForward<T: BinaryFloatingPoint>(
        input: [T], batch: Int, geometry g: ConvGeometry
    ) -> (output: [T], argmax: [Int]) {
        let c = g.inputChannels
        var output = [T](repeating: 0, count: batch * g.outputPixels * c)
        var argmax = [Int](repeating: 0, count: output.count)
        for n in 0..<batch {
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    for ch in 0..<c {
                        var best = -T.infinity
                        var bestIndex = -1
                        forEachTapInside(g, n: n, oy: oy, ox: ox) { _, _, pixel in
                            let index = pixel * c + ch
                            if bestIndex < 0 || input[index] > best {
                                best = input[index]
                                bestIndex = index
                            }
                        }
                        let o = ((n * g.outputHeight + oy) * g.outputWidth + ox) * c + ch
                        output[o] = best
                        argmax[o] = bestIndex
                    }
                }
            }
        }
        return (output, argmax)
    }

    /// Gradient of max pooling: each output gradient goes to its window's first maximum.
    package static func maxPoolBackward<T: BinaryFloatingPoint>(
        outputGradient: [T], argmax: [Int], inputCount: Int
    ) -> [T] {
        var dInput = [T](repeating: 0, count: inputCount)
        for (o, index) in argmax.enumerated() where index >= 0 {
            dInput[index] += outputGradient[o]
        }
        return dInput
    }

    /// `input [batch, inputs] x kernel [inputs, outputs] + bias` (Keras Dense, `x @ W + b`).
    package static func denseForward<T: BinaryFloatingPoint>(
        input: [T], kernel: [T], bias: [T], batch: Int,
        inputs: Int, outputs: Int
    ) -> [T] {
        var output = [T](repeating: 0, count: batch * outputs)
        for n in 0..<batch {
            for o in 0..<outputs {
                var sum = bias[o]
                for i in 0..<inputs { sum += input[n * inputs + i] * kernel[i * outputs + o] }
                output[n * outputs + o] = sum
            }
        }
        return output
    }

    /// Gradients of ``denseForward(input:kernel:bias:batch:inputs:outputs:)``: input, kernel and bias.
    package static func denseBackward<T: BinaryFloatingPoint>(
        input: [T], kernel: [T], outputGradient: [T], batch: Int,
        inputs: Int, outputs: Int
    ) -> (input: [T], kernel: [T], bias: [T]) {
        var dInput = [T](repeating: 0, count: input.count)
        var dKernel = [T](repeating: 0, count: kernel.count)
        var dBias = [T](repeating: 0, count: outputs)
        for n in 0..<batch {
            for o in 0..<outputs {
                let dy = outputGradient[n * outputs + o]
                dBias[o] += dy
                for i in 0..<inputs {
                    dKernel[i * outputs + o] += input[n * inputs + i] * dy
                    dInput[n * inputs + i] += kernel[i * outputs + o] * dy
                }
            }
        }
        return (dInput, dKernel, dBias)
    }

    /// `max(x, 0)`.
    package static func relu<T: BinaryFloatingPoint>(_ values: [T]) -> [T] {
        values.map { $0 > 0 ? $0 : 0 }
    }

    /// Gradient of ReLU given its output: passes where the output is positive.
    package static func reluBackward<T: BinaryFloatingPoint>(output: [T], outputGradient: [T])
        -> [T]
    {
        zip(output, outputGradient).map { $0 > 0 ? $1 : 0 }
    }

    /// Mean sparse categorical cross-entropy of `logits [batch, classes]` against `labels`, with
    /// a stable log-softmax (`torch.nn.functional.cross_entropy`); returns the loss and its
    /// gradient with respect to the logits.
    package static func softmaxCrossEntropy<T: BinaryFloatingPoint>(
        logits: [T], labels: [Int], classes: Int
    ) -> (loss: T, gradient: [T]) {
        let batch = labels.count
        var loss: T = 0
        var gradient = [T](repeating: 0, count: logits.count)
        for n in 0..<batch {
            let row = n * classes
            var top = logits[row]
            for k in 1..<classes { top = max(top, logits[row + k]) }
            var total: T = 0
            for k in 0..<classes { total += T(exp(Double(logits[row + k] - top))) }
            let logTotal = T(log(Double(total)))
            loss -= logits[row + labels[n]] - top - logTotal
            for k in 0..<classes {
                let probability = T(exp(Double(logits[row + k] - top))) / total
                gradient[row + k] = (probability - (k == labels[n] ? 1 : 0)) / T(batch)
            }
        }
        return (loss / T(batch), gradient)
    }
}
