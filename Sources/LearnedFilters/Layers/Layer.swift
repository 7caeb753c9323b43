// Layer: what every layer of a model provides, and the options of a forward pass.

/// Which arithmetic the layers use: the plain loops of `ReferenceOps` or the fast paths
/// (im2col + sgemm, direct single-channel convolution, vectorised loops over both cores).
public enum Implementation: String, Sendable, CaseIterable {
    /// The fast paths: lowered, direct and Winograd convolutions, vectorised loops.
    case fast
    /// The plain loops of `ReferenceOps`, which the fast paths are tested against.
    case reference
}

/// Options of one forward pass.
public struct ForwardOptions: Sendable {
    /// Training mode: dropout is active.
    public var training: Bool
    /// Fast or reference arithmetic.
    public var implementation: Implementation
    /// Seed of this step's dropout masks (each layer mixes in its position).
    public var seed: UInt64

    /// Options for one pass: inference on the fast path unless told otherwise.
    public init(training: Bool = false, implementation: Implementation = .fast, seed: UInt64 = 0) {
        self.training = training
        self.implementation = implementation
        self.seed = seed
    }
}

/// A layer of a sequential model. Shapes are per sample (without the batch axis) and fixed
/// when the layer is built; the model checks them at its boundary, the layers never do.
/// `forward` keeps what `backward` needs; `backward` accumulates into the parameters' gradients.
public protocol Layer: AnyObject {
    /// Unique name within the model, Keras style: `conv2d`, `max_pooling2d`, `conv2d_1`, ...
    var name: String { get set }
    /// The layer's description in the architecture text form (see ``LayerSpec``).
    var spec: LayerSpec { get }
    /// Per-sample input shape, e.g. `[28, 28, 1]`.
    var inputShape: [Int] { get }
    /// Per-sample output shape, e.g. `[28, 28, 32]`.
    var outputShape: [Int] { get }
    /// Trainable parameters, in Keras order (kernel, then bias).
    var parameters: [Parameter] { get }
    /// Computes the output of a batch `[batch] + inputShape`.
    func forward(_ input: Tensor, options: ForwardOptions) -> Tensor
    /// Given the gradient of the loss with respect to the last forward's output, accumulates
    /// parameter gradients and returns the input gradient (or nil when `needInputGradient` is false).
    func backward(_ outputGradient: Tensor, options: ForwardOptions, needInputGradient: Bool)
        -> Tensor?
}

extension Layer {
    /// Trainable parameters: none, unless the layer declares its own (convolution, dense and
    /// batch normalisation do).
    public var parameters: [Parameter] { [] }

    /// Number of trainable values.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}
