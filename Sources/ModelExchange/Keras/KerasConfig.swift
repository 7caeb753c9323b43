// KerasConfig: a Keras model's JSON configuration (config.json, model.to_json()) as convkit layers.

import Foundation
import LearnedFilters

/// What one Keras layer becomes in convkit, and where its weights are in the HDF5 file.
struct KerasLayerPlan {
    /// The layer's name and class in the Keras model (`conv2d_3`, `Conv2D`).
    var name: String
    var className: String
    /// The convkit layer it becomes; nil when it needs none (InputLayer, a linear activation,
    /// a final softmax).
    var spec: LayerSpec?
    /// The HDF5 group of its variables (`layers/conv2d_1`): Keras names it by class, not by the
    /// layer's name, counting repeats of a class in model order.
    var weightGroup: String
    /// What each of its variables `vars/0`, `vars/1`, ... is, in order.
    var variables: [KerasVariable]
    /// The rank of its per-sample input (1 for a vector, 3 for an image), when it is known.
    var inputRank: Int? = nil
}

/// A Keras variable, by the convkit parameter it fills (a name of ``Layer/parameters``).
enum KerasVariable: String {
    case kernel, bias, gamma, beta
    case movingMean = "moving_mean"
    case movingVariance = "moving_variance"
}

/// A Keras model's layers as convkit reads them.
struct KerasArchitecture {
    /// Per-sample input shape, e.g. `[28, 28, 1]`.
    var inputShape: [Int]
    var layers: [KerasLayerPlan]
    /// What reading changed and a user should know (a final softmax left to the loss).
    var notes: [String]
    /// The notes on which convkit's outputs differ from Keras' (a final activation read as
    /// part of the logits).
    var cautions: [String] = []
    /// Whether a Conv2D or Dense may lack its bias in the weights file: convkit's text form
    /// cannot say `use_bias=False`, so the file's variables tell.
    var biasesMayBeAbsent = false

    /// The convkit architecture.
    var specs: [LayerSpec] { layers.compactMap(\.spec) }
}

/// Reads Keras 3 model configurations: `Sequential` models, and `Functional` ones whose layers
/// form a chain. Supported layers: InputLayer, Conv2D, MaxPooling2D, AveragePooling2D,
/// GlobalAveragePooling2D, Flatten, Dense, Dropout, BatchNormalization, Activation, ReLU,
/// LeakyReLU, ELU and Softmax, channels last, with the activations of ``Activation``; anything
/// else is refused naming the layer and its class (or its activation).
enum KerasConfig {
    /// Parses `bytes` (the JSON of `model.to_json()` or a `.keras` file's `config.json`); `path`
    /// names the file in errors.
    static func architecture(json bytes: [UInt8], path: String) throws -> KerasArchitecture {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)),
            let root = object as? [String: Any]
        else {
            throw ModelExchangeError.unreadable(
                path: path, detail: "the Keras configuration is not a JSON object")
        }
        return try Reader(path: path).model(root)
    }

    /// Keras' `naming.to_snake_case`, which names the HDF5 groups of layers by class:
    /// `MaxPooling2D` -> `max_pooling2d`.
    static func snakeCase(_ name: String) -> String {
        var text = name.replacingOccurrences(
            of: "[^A-Za-z0-9_]+", with: "", options: .regularExpression)
        text = text.replacingOccurrences(
            of: "(.)([A-Z][a-z]+)", with: "$1_$2", options: .regularExpression)
        text = text.replacingOccurrences(
            of: "([a-z])([A-Z])", with: "$1_$2", options: .regularExpression)
        return text.lowercased()
    }
}

/// The parsing of one configuration, with `path` for its errors.
private struct Reader {
    let path: String

    func unsupported(_ detail: String) -> ModelExchangeError {
        .unsupported(path: path, detail: detail)
    }

    func bad(_ detail: String) -> ModelExchangeError {
        .unreadable(path: path, detail: "invalid Keras configuration: \(detail)")
    }

    func model(_ root: [String: Any]) throws -> KerasArchitecture {
        let className = root["class_name"] as? String ?? "?"
        guard className == "Sequential" || className == "Functional" || className == "Model",
            let config = root["config"] as? [String: Any],
            let layers = config["layers"] as? [[String: Any]]
        else {
            throw unsupported(
                "the Keras model is a '\(className)'; convkit reads Sequential models and Functional models whose layers form a chain"
            )
        }
        if className != "Sequential" { try checkChain(layers) }
        var inputShape =
            shape(config["build_input_shape"])
            ?? shape((root["build_config"] as? [String: Any])?["input_shape"])
        var plans = [KerasLayerPlan]()
        var groupCounts = [String: Int]()
        // The rank of each layer's per-sample input, followed through the chain: legacy files
        // record no build_config per layer, only the model's input.
        var rank = inputShape?.count
        for (index, layer) in layers.enumerated() {
            guard let layerClass = layer["class_name"] as? String,
                let layerConfig = layer["config"] as? [String: Any]
            else { throw bad("layer \(index) has no class_name and config") }
            let name = layerConfig["name"] as? String ?? "layer \(index)"
            let givenShape =
                shape(layerConfig["batch_shape"]) ?? shape(layerConfig["batch_input_shape"])
            if layerClass == "InputLayer" {
                inputShape = givenShape ?? inputShape
                rank = inputShape?.count
                continue
            }
            // Keras names a layer's HDF5 group after its class, numbering repeats in order.
            let base = KerasConfig.snakeCase(layerClass)
            let count = groupCounts[base, default: -1] + 1
            groupCounts[base] = count
            let group = "layers/" + (count == 0 ? base : "\(base)_\(count)")
            let builtShape = shape((layer["build_config"] as? [String: Any])?["input_shape"])
            // Keras 2 records the input of a Sequential model without an InputLayer on its
            // first layer.
            if let known = builtShape ?? givenShape { rank = known.count }
            var plan = try self.layer(
                layerClass, name: name, config: layerConfig, inputShape: builtShape,
                inputRank: rank)
            plan.weightGroup = group
            plans.append(plan)
            if layerClass == "Flatten" || layerClass == "GlobalAveragePooling2D" { rank = 1 }
        }
        guard let inputShape, !inputShape.isEmpty else {
            throw bad("no input shape (an InputLayer's batch_shape or the model's build_config)")
        }
        return try foldFinalSoftmax(
            KerasArchitecture(inputShape: inputShape, layers: plans, notes: []))
    }

    /// The per-sample shape in a Keras batch shape `[null, 28, 28, 1]`.
    func shape(_ value: Any?) -> [Int]? {
        guard let list = value as? [Any], list.count >= 2 else { return nil }
        let sizes = list.dropFirst().map { $0 as? Int }
        guard sizes.allSatisfy({ $0 != nil && $0! > 0 && $0! <= 1 << 16 }) else { return nil }
        return sizes.compactMap { $0 }
    }

    /// Checks that each layer of a Functional model takes the previous layer's output only.
    func checkChain(_ layers: [[String: Any]]) throws {
        var previous: String?
        for layer in layers {
            let config = layer["config"] as? [String: Any] ?? [:]
            let name = config["name"] as? String ?? layer["name"] as? String ?? "?"
            let nodes = layer["inbound_nodes"] as? [Any] ?? []
            let sources = inboundLayers(nodes)
            if let previous {
                guard sources == [previous] else {
                    throw unsupported(
                        "layer '\(name)' takes \(sources.isEmpty ? "no input" : sources.joined(separator: ", ")), not the layer before it; convkit reads models whose layers form a chain"
                    )
                }
            }
            previous = name
        }
    }

    /// The names of the layers whose outputs a layer's inbound nodes take, in both forms:
    /// Keras 3's `keras_history` entries, and Keras 2's (tf.keras') lists
    /// `[LAYER, NODE_INDEX, TENSOR_INDEX, KWARGS]` (`[[["input_1", 0, 0, {}]]]`), where KWARGS may
    /// hold more such references and `_CONSTANT_VALUE` marks a constant, not a layer.
    func inboundLayers(_ value: Any) -> [String] {
        if let dictionary = value as? [String: Any] {
            if let history = dictionary["keras_history"] as? [Any],
                let name = history.first as? String
            {
                return [name]
            }
            return dictionary.keys.sorted().flatMap { inboundLayers(dictionary[$0] as Any) }
        }
        guard let list = value as? [Any] else { return [] }
        if list.count >= 3, let name = list[0] as? String, list[1] is Int, list[2] is Int {
            let rest = list.dropFirst(3).flatMap(inboundLayers)
            return name == "_CONSTANT_VALUE" ? rest : [name] + rest
        }
        return list.flatMap(inboundLayers)
    }

    /// An activation's name: a string, or a serialized function object.
    func activationName(_ value: Any?) -> String {
        if value == nil || value is NSNull { return "linear" }
        if let text = value as? String { return text }
        if let object = value as? [String: Any] {
            if let config = object["config"] as? String { return config }
            if let name = (object["config"] as? [String: Any])?["name"] as? String { return name }
        }
        return "?"
    }

    /// Two integers from `N` or `[N, M]`.
    func pair(_ value: Any?, _ what: String, layer: String) throws -> [Int] {
        if let single = value as? Int, single > 0, single <= 1 << 16 { return [single, single] }
        if let list = value as? [Any], list.count == 2, let first = list[0] as? Int,
            let second = list[1] as? Int, first > 0, second > 0, first <= 1 << 16,
            second <= 1 << 16
        {
            return [first, second]
        }
        throw bad("layer '\(layer)': \(what) must be one or two positive integers")
    }

    func padding(_ config: [String: Any], layer: String, className: String) throws -> KerasPadding {
        let text = config["padding"] as? String ?? "valid"
        guard let padding = KerasPadding(rawValue: text.lowercased()) else {
            throw unsupported("layer '\(layer)' (\(className)) has padding '\(text)'")
        }
        return padding
    }

    func channelsLast(_ config: [String: Any], layer: String, className: String) throws {
        let format = config["data_format"] as? String ?? "channels_last"
        guard format == "channels_last" else {
            throw unsupported(
                "layer '\(layer)' (\(className)) is \(format); convkit reads channels_last models")
        }
    }

    /// The convkit activation of a Conv2D, Dense or Activation layer: Keras' activation names
    /// (`gelu` is its exact form, `elu` has alpha 1, `leaky_relu` slope 0.2, as in
    /// `keras.activations`).
    func activation(_ config: [String: Any], layer: String, className: String) throws
        -> Activation
    {
        let name = activationName(config["activation"])
        let known: [String: Activation] = [
            "linear": .linear, "relu": .relu, "sigmoid": .sigmoid, "tanh": .tanh,
            "softmax": .softmax, "selu": .selu, "elu": .elu(alpha: 1),
            "gelu": .gelu(approximate: false),
            "leaky_relu": .leakyRelu(negativeSlope: Activation.defaultLeakySlope),
        ]
        guard let activation = known[name] else {
            throw unsupported(
                "layer '\(layer)' (\(className)) has activation '\(name)'; convkit supports linear, relu, sigmoid, tanh, softmax, elu, selu, gelu and leaky_relu"
            )
        }
        return activation
    }

    /// A number of a layer's configuration, `fallback` when absent; finite or refused.
    func number(_ config: [String: Any], _ key: String, _ fallback: Double, layer: String) throws
        -> Float
    {
        guard let value = config[key], !(value is NSNull) else { return Float(fallback) }
        guard let number = value as? Double, number.isFinite else {
            throw bad("layer '\(layer)': \(key) must be a number")
        }
        return Float(number)
    }

    /// The plan of one layer from its `config`; `inputShape` is the per-sample input shape the
    /// file records for it (its `build_config`), when it does, and `inputRank` the rank of that
    /// input as followed from the model's input, when it is known.
    func layer(
        _ className: String, name: String, config: [String: Any], inputShape: [Int]?,
        inputRank: Int?
    ) throws -> KerasLayerPlan {
        var plan = KerasLayerPlan(
            name: name, className: className, spec: nil, weightGroup: "", variables: [],
            inputRank: inputRank)
        let useBias = config["use_bias"] as? Bool ?? true
        switch className {
        case "InputLayer":
            break
        case "Conv2D":
            try channelsLast(config, layer: name, className: className)
            guard (config["groups"] as? Int ?? 1) == 1 else {
                throw unsupported("layer '\(name)' (Conv2D) is a grouped convolution")
            }
            guard let filters = config["filters"] as? Int, filters > 0, filters <= 1 << 16 else {
                throw bad("layer '\(name)': filters must be a positive integer")
            }
            let activation = try self.activation(config, layer: name, className: className)
            plan.spec = .conv2d(
                filters: filters,
                kernel: try pair(config["kernel_size"], "kernel_size", layer: name),
                strides: try pair(config["strides"] ?? 1, "strides", layer: name),
                dilation: try pair(config["dilation_rate"] ?? 1, "dilation_rate", layer: name),
                padding: try padding(config, layer: name, className: className),
                activation: activation)
            plan.variables = useBias ? [.kernel, .bias] : [.kernel]
        case "Dense":
            guard let units = config["units"] as? Int, units > 0, units <= 1 << 20 else {
                throw bad("layer '\(name)': units must be a positive integer")
            }
            let activation = try self.activation(config, layer: name, className: className)
            plan.spec = .dense(units: units, activation: activation)
            plan.variables = useBias ? [.kernel, .bias] : [.kernel]
        case "MaxPooling2D", "AveragePooling2D":
            try channelsLast(config, layer: name, className: className)
            let pool = try pair(config["pool_size"], "pool_size", layer: name)
            let strides =
                config["strides"] == nil || config["strides"] is NSNull
                ? pool : try pair(config["strides"], "strides", layer: name)
            let padding = try padding(config, layer: name, className: className)
            plan.spec =
                className == "MaxPooling2D"
                ? .maxPool2d(pool: pool, strides: strides, padding: padding)
                : .averagePool2d(pool: pool, strides: strides, padding: padding)
        case "GlobalAveragePooling2D":
            try channelsLast(config, layer: name, className: className)
            guard !(config["keepdims"] as? Bool ?? false) else {
                throw unsupported("layer '\(name)' (GlobalAveragePooling2D) keeps its dimensions")
            }
            plan.spec = .globalAveragePool2d
        case "Flatten":
            try channelsLast(config, layer: name, className: className)
            plan.spec = .flatten
        case "Dropout":
            guard let rate = config["rate"] as? Double, rate >= 0, rate < 1 else {
                throw bad("layer '\(name)': rate must be in [0, 1)")
            }
            plan.spec = .dropout(rate: Float(rate))
        case "BatchNormalization":
            // Keras 2 writes the axis as a list of one, [3].
            if let axes = config["axis"] as? [Int], axes.count != 1 {
                throw unsupported(
                    "layer '\(name)' (BatchNormalization) normalises axes \(axes); convkit normalises the last axis"
                )
            }
            let axis = (config["axis"] as? Int) ?? ((config["axis"] as? [Int])?.first ?? -1)
            // Keras counts the batch as axis 0, so the last axis of a [h, w, c] input is 3.
            let rank = inputShape?.count ?? inputRank
            let lastAxes = rank.map { [-1, $0] } ?? [-1]
            guard lastAxes.contains(axis) else {
                let input =
                    inputShape.map { " of its \($0) input" }
                    ?? inputRank.map { " of its rank-\($0) input" } ?? ""
                throw unsupported(
                    "layer '\(name)' (BatchNormalization) normalises axis \(axis)\(input); convkit normalises the last axis"
                )
            }
            guard !(config["renorm"] as? Bool ?? false) else {
                throw unsupported(
                    "layer '\(name)' (BatchNormalization) uses renorm; convkit's does not")
            }
            guard let epsilon = config["epsilon"] as? Double, epsilon > 0 else {
                throw bad("layer '\(name)': epsilon must be positive")
            }
            plan.spec = .batchNormalization(epsilon: Float(epsilon))
            plan.variables =
                ((config["scale"] as? Bool ?? true) ? [.gamma] : [])
                + ((config["center"] as? Bool ?? true) ? [.beta] : [])
                + [.movingMean, .movingVariance]
        case "Activation":
            plan.spec = LayerSpec.layer(
                applying: try activation(config, layer: name, className: className))
        case "ReLU":
            let maxValue = config["max_value"]
            let slope = try number(config, "negative_slope", 0, layer: name)
            let threshold = try number(config, "threshold", 0, layer: name)
            guard maxValue == nil || maxValue is NSNull, threshold == 0, slope >= 0 else {
                throw unsupported(
                    "layer '\(name)' (ReLU) has a max_value, a threshold or a negative slope below 0; convkit's ReLU is max(x, 0), or leaky with a slope"
                )
            }
            plan.spec = slope == 0 ? .relu : .activation(.leakyRelu(negativeSlope: slope))
        case "LeakyReLU":
            // Keras 3 names the slope negative_slope, Keras 2 alpha; both default to 0.3.
            let slope = try number(
                config, config["negative_slope"] == nil ? "alpha" : "negative_slope", 0.3,
                layer: name)
            plan.spec = .activation(.leakyRelu(negativeSlope: slope))
        case "ELU":
            plan.spec = .activation(.elu(alpha: try number(config, "alpha", 1, layer: name)))
        case "Softmax":
            let axis = (config["axis"] as? Int) ?? ((config["axis"] as? [Int])?.first ?? -1)
            guard axis == -1 else {
                throw unsupported("layer '\(name)' (Softmax) works on axis \(axis), not the last")
            }
            plan.spec = .softmax
        default:
            throw unsupported(
                "layer '\(name)' is a \(className), which convkit does not support (InputLayer, Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Flatten, Dense, Dropout, BatchNormalization, Activation, ReLU, LeakyReLU, ELU, Softmax)"
            )
        }
        return plan
    }

    /// A model that ends in a softmax (a Softmax or Activation layer, or Dense's activation) is
    /// read without it: convkit's models output logits and apply the softmax in the loss and in
    /// `predict`, which gives the same probabilities, predictions and loss.
    func foldFinalSoftmax(_ architecture: KerasArchitecture) throws -> KerasArchitecture {
        var result = architecture
        // The layer whose activation the outputs are: Dropout after it does nothing at
        // inference, and a Flatten only rearranges its outputs. Flattening a vector leaves it
        // as it is, so a softmax before it can still be folded; flattening an image cannot.
        var found: Int?
        var rearranged = false
        search: for index in result.layers.indices.reversed() {
            let plan = result.layers[index]
            switch plan.spec {
            case nil, .dropout: continue
            case .flatten: rearranged = rearranged || plan.inputRank != 1
            default:
                found = index
                break search
            }
        }
        guard let index = found else { return result }
        let last = result.layers[index]
        let foldable = !rearranged && last.inputRank == 1
        if !foldable, last.spec == .softmax || Self.endsInSoftmax(last.spec) {
            let span = rearranged ? " over its last axis, before a Flatten" : " over its last axis"
            let caution =
                "layer '\(last.name)' ends in softmax\(span), but convkit reads a model's outputs as logits: its probabilities and loss are a softmax of these outputs, not the outputs Keras gives"
            result.notes.append(caution)
            result.cautions.append(caution)
        } else if last.spec == .softmax {
            result.layers[index].spec = nil
            result.notes.append(
                "the final softmax (layer '\(last.name)') is applied by convkit's loss and predict; the model's outputs are the logits before it"
            )
        } else if case .dense(let units, .softmax) = last.spec {
            result.layers[index].spec = .dense(units: units, activation: .linear)
            result.notes.append(
                "layer '\(last.name)' ends in a softmax, which convkit's loss and predict apply; the model's outputs are the logits before it"
            )
        } else if let activation = Self.finalActivation(last.spec) {
            let caution =
                "layer '\(last.name)' ends in \(activation), but convkit reads a model's outputs as logits: its probabilities and loss are a softmax of these outputs, not the outputs Keras gives"
            result.notes.append(caution)
            result.cautions.append(caution)
        }
        return result
    }

    /// Whether `spec` is a layer with weights whose activation is a softmax.
    static func endsInSoftmax(_ spec: LayerSpec?) -> Bool {
        switch spec {
        case .dense(_, .softmax), .conv2d(_, _, _, _, _, .softmax): true
        default: false
        }
    }

    /// The name of the activation other than linear and softmax that `spec` applies last, if any.
    static func finalActivation(_ spec: LayerSpec?) -> String? {
        switch spec {
        case .relu: "relu"
        case .activation(let activation), .dense(_, let activation),
            .conv2d(_, _, _, _, _, let activation):
            activation == .linear || activation == .softmax ? nil : activation.text
        default: nil
        }
    }
}

extension KerasArchitecture {
    /// The Keras model that convkit's `specs` describe, with the HDF5 groups Keras gives its
    /// layers: for a `.weights.h5` file whose architecture is given in convkit's text form.
    static func matching(_ specs: [LayerSpec], inputShape: [Int]) -> KerasArchitecture {
        var counts = [String: Int]()
        let plans = specs.map { spec in
            let base = KerasConfig.snakeCase(spec.className)
            let count = counts[base, default: -1] + 1
            counts[base] = count
            let variables: [KerasVariable] =
                switch spec {
                case .conv2d, .dense: [.kernel, .bias]
                case .batchNormalization: [.gamma, .beta, .movingMean, .movingVariance]
                default: []
                }
            return KerasLayerPlan(
                name: count == 0 ? base : "\(base)_\(count)", className: spec.className, spec: spec,
                weightGroup: "layers/" + (count == 0 ? base : "\(base)_\(count)"),
                variables: variables)
        }
        return KerasArchitecture(
            inputShape: inputShape, layers: plans, notes: [], biasesMayBeAbsent: true)
    }
}
