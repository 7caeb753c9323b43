// ActivationMath: forward and backward of every Activation, element by element (softmax by rows
// of the last axis), in plain loops shared by the fast and the reference paths.

import Foundation

/// The values and derivatives of the activations, as Keras 3 defines them.
enum ActivationMath {
    /// SELU's constants, as in `keras.activations.selu`.
    static let seluAlpha: Float = 1.6732632423543772848170429916717
    static let seluScale: Float = 1.0507009873554804934193349852946
    /// The tanh approximation of GELU: `sqrt(2 / pi)` and the cubic coefficient.
    static let geluTanhFactor: Float = 0.7978845608028654
    static let geluCubic: Float = 0.044715

    /// `activation` applied to `input`; rows of `width` values are softmax's last axis.
    static func forward(_ activation: Activation, _ input: [Float], width: Int) -> [Float] {
        switch activation {
        case .linear: return input
        case .softmax: return softmax(input, width: width)
        default: return input.map { value(activation, $0) }
        }
    }

    /// The input gradient from the output gradient `gradient`, given the forward's `input`
    /// and `output`.
    static func backward(
        _ activation: Activation, input: [Float], output: [Float], gradient: [Float], width: Int
    ) -> [Float] {
        switch activation {
        case .linear: return gradient
        case .softmax:
            var dx = gradient
            for start in stride(from: 0, to: gradient.count, by: width) {
                let row = start..<start + width
                var dot: Float = 0
                for index in row { dot += gradient[index] * output[index] }
                for index in row { dx[index] = output[index] * (gradient[index] - dot) }
            }
            return dx
        default:
            var dx = gradient
            for index in dx.indices {
                dx[index] *= derivative(activation, input[index], output[index])
            }
            return dx
        }
    }

    /// `f(x)` of an element-wise activation.
    static func value(_ activation: Activation, _ x: Float) -> Float {
        switch activation {
        case .linear, .softmax: return x
        case .relu: return max(x, 0)
        case .sigmoid:
            if x >= 0 { return 1 / (1 + exp(-x)) }
            let e = exp(x)
            return e / (1 + e)
        case .tanh: return Foundation.tanh(x)
        case .elu(let alpha): return x > 0 ? x : alpha * expm1(x)
        case .selu: return seluScale * (x > 0 ? x : seluAlpha * expm1(x))
        case .gelu(let approximate):
            if approximate {
                let u = geluTanhFactor * (x + geluCubic * x * x * x)
                return 0.5 * x * (1 + Foundation.tanh(u))
            }
            return 0.5 * x * (1 + erf(x / Float(2).squareRoot()))
        case .leakyRelu(let slope): return x >= 0 ? x : slope * x
        }
    }

    /// `f'(x)` of an element-wise activation, given `x` and `y = f(x)`.
    static func derivative(_ activation: Activation, _ x: Float, _ y: Float) -> Float {
        switch activation {
        case .linear, .softmax: return 1
        case .relu: return x > 0 ? 1 : 0
        case .sigmoid: return y * (1 - y)
        case .tanh: return 1 - y * y
        case .elu(let alpha): return x > 0 ? 1 : alpha * exp(x)
        case .selu: return x > 0 ? seluScale : seluScale * seluAlpha * exp(x)
        case .gelu(let approximate):
            if approximate {
                let u = geluTanhFactor * (x + geluCubic * x * x * x)
                let t = Foundation.tanh(u)
                return 0.5 * (1 + t)
                    + 0.5 * x * (1 - t * t) * geluTanhFactor * (1 + 3 * geluCubic * x * x)
            }
            let cdf = 0.5 * (1 + erf(x / Float(2).squareRoot()))
            let pdf = exp(-0.5 * x * x) / Float(2 * Double.pi).squareRoot()
            return cdf + x * pdf
        case .leakyRelu(let slope): return x >= 0 ? 1 : slope
        }
    }

    /// `exp(x - max) / sum(exp(x - max))` along rows of `width`.
    static func softmax(_ input: [Float], width: Int) -> [Float] {
        var output = input
        for start in stride(from: 0, to: input.count, by: width) {
            let row = start..<start + width
            let top = input[row].max() ?? 0
            var total: Float = 0
            for index in row {
                output[index] = exp(input[index] - top)
                total += output[index]
            }
            for index in row { output[index] /= total }
        }
        return output
    }
}

/// The activation a Conv2D or Dense applies after its sum, when it is not one the layer fuses
/// into its own loops (linear and relu are), or an activation layer's: keeps the
/// pre-activation values for backward.
struct ActivationStage {
    let activation: Activation
    /// Rows of softmax: the layer's last axis.
    let width: Int
    /// Whether the layer computes linear and relu itself, leaving only the others here.
    let layerFuses: Bool
    private var lastInput = [Float]()
    private var lastOutput = [Float]()

    init(_ activation: Activation, width: Int, layerFuses: Bool = true) {
        self.activation = activation
        self.width = width
        self.layerFuses = layerFuses
    }

    /// Whether the stage computes the activation (the layer does not fuse it).
    var isSeparate: Bool { !layerFuses || (activation != .linear && activation != .relu) }

    /// Applies the activation to the layer's pre-activation `values` in place, when separate.
    mutating func forward(_ values: inout [Float]) {
        guard isSeparate else { return }
        lastInput = values
        values = ActivationMath.forward(activation, values, width: width)
        lastOutput = values
    }

    /// The gradient with respect to the pre-activation values, when separate.
    func backward(_ gradient: Tensor) -> Tensor {
        guard isSeparate else { return gradient }
        return Tensor(
            shape: gradient.shape,
            values: ActivationMath.backward(
                activation, input: lastInput, output: lastOutput, gradient: gradient.values,
                width: width))
    }
}
