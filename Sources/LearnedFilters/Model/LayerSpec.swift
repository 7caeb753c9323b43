// LayerSpec: a layer's configuration, and the short text form of an architecture (`--arch`).

import Foundation

/// The configuration of one layer; a model is built from a list of these.
///
/// Text form, one layer per comma-separated item, options separated by `:`:
/// - `conv2d:FILTERS:KHxKW[:s=S|SYxSX][:d=D|DYxDX][:same|valid][:ACTIVATION]` (Keras default
///   padding: valid; ACTIVATION is one of ``Activation/names``, e.g. `relu`, `gelu`, `elu=0.5`)
/// - `maxpool:K|KHxKW[:s=S|SYxSX][:same|valid]` (stride defaults to the pool size)
/// - `avgpool:K|KHxKW[:s=S|SYxSX][:same|valid]` (padded cells are not counted), `globalavgpool`
/// - `dense:UNITS[:ACTIVATION]`, `dropout:RATE`, `flatten`, `relu`, `softmax` (not as the last
///   layer), and any other ACTIVATION alone as a layer (`sigmoid`, `leaky_relu=0.1`, ...)
/// - `batchnorm[:eps=E]` (inference form over the last axis; Keras' default epsilon 0.001)
///
/// The tutorial network is ``LayerSpec/tutorial``.
public enum LayerSpec: Equatable, Sendable {
    /// A 2-D convolution (``Conv2D``).
    case conv2d(
        filters: Int, kernel: [Int], strides: [Int], dilation: [Int], padding: KerasPadding,
        activation: Activation)
    /// Max pooling (``MaxPool2D``).
    case maxPool2d(pool: [Int], strides: [Int], padding: KerasPadding)
    /// Average pooling (``AveragePool2D``).
    case averagePool2d(pool: [Int], strides: [Int], padding: KerasPadding)
    /// The mean of each channel (``GlobalAveragePool2D``).
    case globalAveragePool2d
    /// Fixed-statistics normalization (``BatchNormalization``).
    case batchNormalization(epsilon: Float)
    /// A softmax over the last axis (``Softmax``), never the last layer.
    case softmax
    /// A fully connected layer (``Dense``).
    case dense(units: Int, activation: Activation)
    /// Inverted dropout (``Dropout``).
    case dropout(rate: Float)
    /// Reshaping to one axis (``Flatten``).
    case flatten
    /// `max(x, 0)` as a layer of its own (``ReLU``).
    case relu
    /// An activation layer other than `relu` and `softmax` (which have cases of their own).
    case activation(Activation)

    /// The tutorial's CNN: 220,234 parameters on 28x28x1 inputs.
    public static let tutorial =
        "conv2d:32:3x3:same:relu,maxpool:2,conv2d:64:3x3:same:relu,maxpool:2,flatten,dense:64,dropout:0.5,dense:10"

    /// Keras' base name of the layer, used to name layers (`conv2d`, `conv2d_1`, ...).
    public var baseName: String {
        switch self {
        case .conv2d: "conv2d"
        case .maxPool2d: "max_pooling2d"
        case .dense: "dense"
        case .dropout: "dropout"
        case .flatten: "flatten"
        case .relu: "re_lu"
        case .averagePool2d: "average_pooling2d"
        case .globalAveragePool2d: "global_average_pooling2d"
        case .batchNormalization: "batch_normalization"
        case .softmax: "softmax"
        case .activation: "activation"
        }
    }

    /// Keras' class name, as in its model summary.
    public var className: String {
        switch self {
        case .conv2d: "Conv2D"
        case .maxPool2d: "MaxPooling2D"
        case .dense: "Dense"
        case .dropout: "Dropout"
        case .flatten: "Flatten"
        case .relu: "ReLU"
        case .averagePool2d: "AveragePooling2D"
        case .globalAveragePool2d: "GlobalAveragePooling2D"
        case .batchNormalization: "BatchNormalization"
        case .softmax: "Softmax"
        case .activation: "Activation"
        }
    }

    /// The most weights (kernel and bias) one layer may hold: 2^28, 1 GiB of Float32.
    public static let maximumWeights = 1 << 28

    /// The number of weights (kernel and bias) this layer holds on a per-sample input of
    /// `inputShape`, or nil when the count overflows. Known before the layer is built, so a
    /// model can refuse a size instead of allocating it.
    public func weightCount(inputShape: [Int]) -> Int? {
        let (kernelSizes, biases): ([Int], Int)
        switch self {
        case .conv2d(let filters, let kernel, _, _, _, _):
            (kernelSizes, biases) = (kernel + [inputShape.last ?? 0, filters], filters)
        case .dense(let units, _): (kernelSizes, biases) = (inputShape + [units], units)
        case .batchNormalization:
            let (total, overflow) = (inputShape.last ?? 0).multipliedReportingOverflow(by: 4)
            return overflow ? nil : total
        case .maxPool2d, .averagePool2d, .globalAveragePool2d, .dropout, .flatten, .relu, .softmax,
            .activation:
            return 0
        }
        var kernelCount = 1
        for size in kernelSizes {
            let (product, overflow) = kernelCount.multipliedReportingOverflow(by: size)
            if overflow { return nil }
            kernelCount = product
        }
        let (total, overflow) = kernelCount.addingReportingOverflow(biases)
        return overflow ? nil : total
    }

    /// The text form of this layer.
    public var text: String {
        func pair(_ values: [Int]) -> String {
            values[0] == values[1] ? "\(values[0])" : "\(values[0])x\(values[1])"
        }
        switch self {
        case .conv2d(
            let filters, let kernel, let strides, let dilation, let padding, let activation):
            var parts = ["conv2d", "\(filters)", "\(kernel[0])x\(kernel[1])"]
            if strides != [1, 1] { parts.append("s=" + pair(strides)) }
            if dilation != [1, 1] { parts.append("d=" + pair(dilation)) }
            parts.append(padding.rawValue)
            if activation != .linear { parts.append(activation.text) }
            return parts.joined(separator: ":")
        case .maxPool2d(let pool, let strides, let padding),
            .averagePool2d(let pool, let strides, let padding):
            let kind = if case .maxPool2d = self { "maxpool" } else { "avgpool" }
            var parts = [kind, pair(pool)]
            if strides != pool { parts.append("s=" + pair(strides)) }
            if padding == .same { parts.append("same") }
            return parts.joined(separator: ":")
        case .dense(let units, let activation):
            return activation == .linear ? "dense:\(units)" : "dense:\(units):\(activation.text)"
        case .dropout(let rate):
            return "dropout:\(rate)"
        case .flatten:
            return "flatten"
        case .relu:
            return "relu"
        case .globalAveragePool2d:
            return "globalavgpool"
        case .batchNormalization(let epsilon):
            return epsilon == 0.001 ? "batchnorm" : "batchnorm:eps=\(epsilon)"
        case .softmax:
            return "softmax"
        case .activation(let activation):
            return activation.text
        }
    }

    /// The layer applying `activation` alone: ``relu``, ``softmax``, nil for `linear`, or
    /// ``activation(_:)``.
    public static func layer(applying activation: Activation) -> LayerSpec? {
        switch activation {
        case .linear: nil
        case .relu: .relu
        case .softmax: .softmax
        default: .activation(activation)
        }
    }

    /// The text form of a list of layers.
    public static func text(_ specs: [LayerSpec]) -> String {
        specs.map(\.text).joined(separator: ",")
    }

    /// Parses the text form; throws ``LearnedFiltersError/badArchitecture(_:)`` naming the item.
    /// A `batchnorm` without `eps=` takes `batchNormEpsilon`: Keras' default, 1e-3, unless the
    /// weights come from elsewhere (`nn.BatchNorm2d`'s default is 1e-5).
    public static func parse(_ text: String, batchNormEpsilon: Float = 0.001) throws
        -> [LayerSpec]
    {
        let items = text.split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }.filter { !$0.isEmpty }
        guard !items.isEmpty else {
            throw LearnedFiltersError.badArchitecture("the architecture is empty")
        }
        return try items.map { try parseItem($0, batchNormEpsilon: batchNormEpsilon) }
    }

    private static func parseItem(_ item: String, batchNormEpsilon: Float) throws -> LayerSpec {
        let parts = item.split(separator: ":").map(String.init)
        func fail(_ why: String) -> LearnedFiltersError { .badArchitecture("'\(item)': \(why)") }
        func positive(_ text: String, _ what: String) throws -> Int {
            guard let value = Int(text), value >= 1, value <= 1 << 16 else {
                throw fail("\(what) must be an integer from 1 to 65536, got '\(text)'")
            }
            return value
        }
        func pair(_ text: String, _ what: String) throws -> [Int] {
            let pieces = text.split(separator: "x", omittingEmptySubsequences: false).map(
                String.init)
            guard pieces.count == 1 || pieces.count == 2 else {
                throw fail("\(what) must be N or NxM, got '\(text)'")
            }
            let values = try pieces.map { try positive($0, what) }
            return values.count == 1 ? [values[0], values[0]] : values
        }
        guard let kind = parts.first else { throw fail("empty layer") }
        var positional = [String]()
        var strides: [Int]?
        var dilation = [1, 1]
        var padding = KerasPadding.valid
        var activation = Activation.linear
        for option in parts.dropFirst() {
            if option.hasPrefix("s=") {
                strides = try pair(String(option.dropFirst(2)), "stride")
            } else if option.hasPrefix("d=") {
                dilation = try pair(String(option.dropFirst(2)), "dilation")
            } else if let mode = KerasPadding(rawValue: option) {
                padding = mode
            } else if let parsed = Activation(text: option) {
                activation = parsed
            } else {
                positional.append(option)
            }
        }
        // A word where an activation goes is an activation convkit does not have.
        let named = positional.dropFirst(kind == "conv2d" ? 2 : 1).first { Int($0) == nil }
        if kind == "conv2d" || kind == "dense", let named {
            throw fail("unknown activation '\(named)' (\(Activation.names))")
        }
        switch kind {
        case "conv2d":
            guard positional.count == 2 else { throw fail("expected conv2d:FILTERS:KHxKW") }
            let kernel = try pair(positional[1], "kernel size")
            return .conv2d(
                filters: try positive(positional[0], "filters"), kernel: kernel,
                strides: strides ?? [1, 1],
                dilation: dilation, padding: padding, activation: activation)
        case "maxpool", "max_pooling2d", "avgpool", "average_pooling2d":
            let name = kind.hasPrefix("m") ? "maxpool" : "avgpool"
            guard positional.count == 1, activation == .linear, dilation == [1, 1] else {
                throw fail("expected \(name):K[:s=S][:same|valid]")
            }
            let pool = try pair(positional[0], "pool size")
            return name == "maxpool"
                ? .maxPool2d(pool: pool, strides: strides ?? pool, padding: padding)
                : .averagePool2d(pool: pool, strides: strides ?? pool, padding: padding)
        case "batchnorm":
            guard positional.count <= 1, strides == nil, activation == .linear,
                dilation == [1, 1], parts.count == positional.count + 1
            else { throw fail("expected batchnorm[:eps=E]") }
            guard let option = positional.first else {
                return .batchNormalization(epsilon: batchNormEpsilon)
            }
            guard option.hasPrefix("eps="), let epsilon = Float(option.dropFirst(4)),
                epsilon > 0, epsilon.isFinite
            else { throw fail("expected eps=E with E > 0, got '\(option)'") }
            return .batchNormalization(epsilon: epsilon)
        case "dense":
            guard positional.count == 1, strides == nil else {
                throw fail("expected dense:UNITS[:ACTIVATION]")
            }
            return .dense(units: try positive(positional[0], "units"), activation: activation)
        case "dropout":
            guard positional.count == 1, let rate = Float(positional[0]), rate >= 0, rate < 1 else {
                throw fail("expected dropout:RATE with 0 <= RATE < 1")
            }
            return .dropout(rate: rate)
        case "flatten", "relu", "softmax", "globalavgpool":
            guard parts.count == 1 else { throw fail("\(kind) takes no options") }
            let simple: [String: LayerSpec] = [
                "flatten": .flatten, "relu": .relu, "softmax": .softmax,
                "globalavgpool": .globalAveragePool2d,
            ]
            return simple[kind] ?? .flatten
        default:
            if let cut = kind.firstIndex(of: "="), ["elu", "leaky_relu"].contains(kind[..<cut]) {
                guard parts.count == 1, let applied = Activation(text: kind) else {
                    throw fail("\(kind[..<cut]) takes one finite number, as \(kind[..<cut])=0.1")
                }
                return .activation(applied)
            }
            if let applied = Activation(text: kind) {
                guard parts.count == 1 else { throw fail("\(kind) takes no options") }
                return .activation(applied)
            }
            throw fail(
                "unknown layer '\(kind)' (conv2d, maxpool, avgpool, globalavgpool, dense, dropout, flatten, batchnorm, or an activation: \(Activation.names))"
            )
        }
    }
}
