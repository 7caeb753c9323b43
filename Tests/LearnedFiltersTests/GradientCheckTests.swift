// GradientCheckTests: the reference layers' backward passes against central finite differences in Double.

import LearnedFilters
import Testing

@Suite struct GradientCheckTests {
    private func values(_ count: Int, seed: UInt64) -> [Double] {
        randomValues(count, seed: seed).map(Double.init)
    }

    /// Central difference of `loss` at `x[index]`.
    private func numeric(_ x: [Double], _ index: Int, _ loss: ([Double]) -> Double) -> Double {
        let h = 1e-6
        var plus = x
        var minus = x
        plus[index] += h
        minus[index] -= h
        return (loss(plus) - loss(minus)) / (2 * h)
    }

    /// Every element of the analytic gradients (input, kernel, bias) of the loss
    /// `dot(forward(x, w, b), outputWeights)` against a central difference.
    private func expectNumericGradients(
        _ gradients: (input: [Double], kernel: [Double], bias: [Double]), x: [Double],
        w: [Double], b: [Double], outputWeights: [Double],
        forward: (_ x: [Double], _ w: [Double], _ b: [Double]) -> [Double]
    ) {
        func loss(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            dot(forward(x, w, b), outputWeights)
        }
        for index in x.indices {
            #expect(abs(gradients.input[index] - numeric(x, index) { loss($0, w, b) }) < 1e-6)
        }
        for index in w.indices {
            #expect(abs(gradients.kernel[index] - numeric(w, index) { loss(x, $0, b) }) < 1e-6)
        }
        for index in b.indices {
            #expect(abs(gradients.bias[index] - numeric(b, index) { loss(x, w, $0) }) < 1e-6)
        }
    }

    private func dot(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    }

    // The convolution and dense checks share a shape on purpose: each builds its layer's data and
    // its loss; the comparison itself is expectNumericGradients.
    @Test(arguments: [
        (1, 1, 1, 1, KerasPadding.same), (2, 1, 1, 2, .same), (1, 2, 2, 1, .valid),
        (2, 2, 1, 1, .same),
    ])
    func convolutionGradients(
        strideY: Int, strideX: Int, dilationY: Int, dilationX: Int, padding: KerasPadding
    ) {
        let g = ConvGeometry(
            inputHeight: 6, inputWidth: 5, inputChannels: 2, kernelHeight: 3, kernelWidth: 2,
            strideY: strideY, strideX: strideX, dilationY: dilationY, dilationX: dilationX,
            padding: padding)
        let filters = 3
        let batch = 2
        let x = values(batch * g.inputSize, seed: 1)
        let w = values(g.taps * 2 * filters, seed: 2)
        let b = values(filters, seed: 3)
        let weights = values(batch * g.outputPixels * filters, seed: 4)
        let grads = ReferenceOps.convBackward(
            input: x, kernel: w, outputGradient: weights, batch: batch, geometry: g,
            filters: filters)
        expectNumericGradients(
            (grads.input, grads.kernel, grads.bias), x: x, w: w, b: b, outputWeights: weights
        ) {
            ReferenceOps.convForward(
                input: $0, kernel: $1, bias: $2, batch: batch, geometry: g, filters: filters)
        }
    }

    @Test func maxPoolGradient() {
        let g = ConvGeometry(
            inputHeight: 5, inputWidth: 6, inputChannels: 2, kernelHeight: 2, kernelWidth: 2,
            strideY: 2, strideX: 2, padding: .same)
        let x = values(2 * g.inputSize, seed: 5)
        let weights = values(2 * g.outputPixels * 2, seed: 6)
        let pooled = ReferenceOps.maxPoolForward(input: x, batch: 2, geometry: g)
        let grad = ReferenceOps.maxPoolBackward(
            outputGradient: weights, argmax: pooled.argmax, inputCount: x.count)
        for index in x.indices {
            let expected = numeric(x, index) {
                dot(ReferenceOps.maxPoolForward(input: $0, batch: 2, geometry: g).output, weights)
            }
            #expect(abs(grad[index] - expected) < 1e-6)
        }
    }

    @Test func denseGradients() {
        let (batch, inputs, outputs) = (3, 5, 4)
        let x = values(batch * inputs, seed: 7)
        let w = values(inputs * outputs, seed: 8)
        let b = values(outputs, seed: 9)
        let weights = values(batch * outputs, seed: 10)
        let grads = ReferenceOps.denseBackward(
            input: x, kernel: w, outputGradient: weights, batch: batch, inputs: inputs,
            outputs: outputs)
        expectNumericGradients(
            (grads.input, grads.kernel, grads.bias), x: x, w: w, b: b, outputWeights: weights
        ) {
            ReferenceOps.denseForward(
                input: $0, kernel: $1, bias: $2, batch: batch, inputs: inputs, outputs: outputs)
        }
    }

    @Test func crossEntropyGradient() {
        let logits = values(3 * 4, seed: 11).map { $0 * 5 }
        let labels = [2, 0, 3]
        let (_, gradient) = ReferenceOps.softmaxCrossEntropy(
            logits: logits, labels: labels, classes: 4)
        for index in logits.indices {
            let expected = numeric(logits, index) {
                ReferenceOps.softmaxCrossEntropy(logits: $0, labels: labels, classes: 4).loss
            }
            #expect(abs(gradient[index] - expected) < 1e-6)
        }
    }

    @Test func crossEntropyIsStableForLargeLogits() {
        let (loss, gradient) = ReferenceOps.softmaxCrossEntropy(
            logits: [1000.0, 0, -1000], labels: [1], classes: 3)
        #expect(abs(loss - 1000) < 1e-9)
        #expect(gradient.allSatisfy { $0.isFinite })
    }

    @Test func reluGradient() {
        let x = values(20, seed: 12)
        let weights = values(20, seed: 13)
        let grad = ReferenceOps.reluBackward(output: ReferenceOps.relu(x), outputGradient: weights)
        for index in x.indices where abs(x[index]) > 1e-3 {
            #expect(
                abs(grad[index] - numeric(x, index) { dot(ReferenceOps.relu($0), weights) }) < 1e-6)
        }
    }
}
