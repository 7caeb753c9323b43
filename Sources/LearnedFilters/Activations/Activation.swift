// Activation: the element-wise (and softmax) functions a Conv2D, a Dense or an activation layer
// applies, with their text form in an architecture.

/// Activation applied at the end of a Conv2D or Dense layer, or by an activation layer.
///
/// The definitions are Keras 3's (`keras.activations`): `elu` with `alpha` (1 for the string
/// "elu"), `selu` with Keras' fixed constants, `gelu` in its exact erf form
/// (`approximate=False`, Keras' default) or the tanh approximation, `leaky_relu` with its
/// negative slope (0.2 for the string "leaky_relu"), `softmax` over the last axis.
public enum Activation: Equatable, Sendable {
    case linear, relu, sigmoid, tanh, softmax, selu
    /// `x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise.
    case elu(alpha: Float)
    /// `x * Phi(x)` (exact, erf) or `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.
    case gelu(approximate: Bool)
    /// `x` for `x >= 0`, `negativeSlope * x` otherwise.
    case leakyRelu(negativeSlope: Float)

    /// Keras' default slope of `leaky_relu` and of the LeakyReLU layer.
    public static let defaultLeakySlope: Float = 0.2

    /// The names the text form accepts, for messages.
    public static let names =
        "linear, relu, sigmoid, tanh, softmax, elu[=ALPHA], selu, gelu, gelu_tanh, leaky_relu[=SLOPE]"

    /// Parses the text form: `relu`, `sigmoid`, `tanh`, `softmax`, `selu`, `gelu` (erf),
    /// `gelu_tanh`, `elu` or `elu=ALPHA`, `leaky_relu` or `leaky_relu=SLOPE`, `linear`.
    /// Nil for anything else (or a parameter that is not a finite number).
    public init?(text: String) {
        let pieces = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard let name = pieces.first else { return nil }
        let value: Float?
        if pieces.count == 2 {
            guard let number = Float(pieces[1]), number.isFinite else { return nil }
            value = number
        } else {
            value = nil
        }
        switch (name, value) {
        case ("linear", nil): self = .linear
        case ("relu", nil): self = .relu
        case ("sigmoid", nil): self = .sigmoid
        case ("tanh", nil): self = .tanh
        case ("softmax", nil): self = .softmax
        case ("selu", nil): self = .selu
        case ("gelu", nil): self = .gelu(approximate: false)
        case ("gelu_tanh", nil): self = .gelu(approximate: true)
        case ("elu", _): self = .elu(alpha: value ?? 1)
        case ("leaky_relu", _): self = .leakyRelu(negativeSlope: value ?? Self.defaultLeakySlope)
        default: return nil
        }
    }

    /// The text form; ``init(text:)`` reads it back.
    public var text: String {
        switch self {
        case .linear: "linear"
        case .relu: "relu"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .softmax: "softmax"
        case .selu: "selu"
        case .gelu(let approximate): approximate ? "gelu_tanh" : "gelu"
        case .elu(let alpha): alpha == 1 ? "elu" : "elu=\(alpha)"
        case .leakyRelu(let slope):
            slope == Self.defaultLeakySlope ? "leaky_relu" : "leaky_relu=\(slope)"
        }
    }
}
