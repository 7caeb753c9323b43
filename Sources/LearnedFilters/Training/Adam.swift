// Adam: the optimizer, in Keras' form by default and PyTorch's as an option, vectorised.

import Foundation

/// Which formula applies the bias correction.
public enum AdamForm: String, Sendable, CaseIterable {
    /// Keras: `w -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)`.
    case keras
    /// PyTorch: `w -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)`.
    case pytorch
}

/// Adam's hyper-parameters, with Keras' defaults.
public struct AdamConfiguration: Sendable, Equatable {
    /// Step size (Keras' default 0.001).
    public var learningRate: Float = 1e-3
    /// Decay of the first-moment average.
    public var beta1: Float = 0.9
    /// Decay of the second-moment average.
    public var beta2: Float = 0.999
    /// Added to the denominator (Keras' default 1e-7; PyTorch's is 1e-8).
    public var epsilon: Float = 1e-7
    /// Which formula applies the bias correction.
    public var form: AdamForm = .keras

    // Written out: Swift synthesizes a memberwise initializer only at internal access.
    /// Hyper-parameters with each value given or Keras' default.
    public init(
        learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
        form: AdamForm = .keras
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.form = form
    }
}

/// Adam over a list of parameters: first and second moments per value, and the step count.
public final class Adam {
    /// The hyper-parameters.
    public let configuration: AdamConfiguration
    /// Number of updates applied so far (`t`).
    public internal(set) var step = 0
    /// First moments, one array per parameter in order.
    public internal(set) var firstMoments: [[Float]]
    /// Second moments, one array per parameter in order.
    public internal(set) var secondMoments: [[Float]]

    /// An optimizer for `parameters` with zero moments.
    public init(parameters: [Parameter], configuration: AdamConfiguration) {
        self.configuration = configuration
        firstMoments = parameters.map { [Float](repeating: 0, count: $0.value.count) }
        secondMoments = firstMoments
    }

    /// Restores moments and step (from a checkpoint); the shapes must match the parameters.
    func restore(step: Int, first: [[Float]], second: [[Float]]) {
        self.step = step
        firstMoments = first
        secondMoments = second
    }

    /// Applies one update to every parameter from its gradient.
    public func update(_ parameters: [Parameter]) {
        step += 1
        let c = configuration
        let t = Double(step)
        let correction1 = 1 - pow(Double(c.beta1), t)
        let correction2 = 1 - pow(Double(c.beta2), t)
        for (index, parameter) in parameters.enumerated() {
            let count = parameter.value.count
            let b1 = c.beta1
            let b2 = c.beta2
            let epsilon = c.epsilon
            parameter.value.withUnsafeMutableBufferPointer { w in
                parameter.gradient.withUnsafeBufferPointer { g in
                    firstMoments[index].withUnsafeMutableBufferPointer { m in
                        secondMoments[index].withUnsafeMutableBufferPointer { v in
                            switch c.form {
                            case .keras:
                                let rate = Float(
                                    Double(c.learningRate) * correction2.squareRoot() / correction1)
                                for i in 0..<count {
                                    m[i] = b1 * m[i] + (1 - b1) * g[i]
                                    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                                    w[i] -= rate * m[i] / (v[i].squareRoot() + epsilon)
                                }
                            case .pytorch:
                                let rate = Float(Double(c.learningRate) / correction1)
                                let root2 = Float(correction2.squareRoot())
                                for i in 0..<count {
                                    m[i] = b1 * m[i] + (1 - b1) * g[i]
                                    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                                    w[i] -= rate * m[i] / (v[i].squareRoot() / root2 + epsilon)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
