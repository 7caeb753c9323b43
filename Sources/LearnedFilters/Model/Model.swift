// Model: a sequential list of layers built from an architecture, with forward, backward and summary.

import ConvkitSupport

/// A sequential network: layers built from a list of ``LayerSpec`` on a fixed per-sample
/// input shape. Layer names follow Keras (`conv2d`, `max_pooling2d`, `conv2d_1`, ...).
///
/// For inspection, ``forward(_:keepingActivations:implementation:)`` returns every layer's
/// output, and ``Conv2D/kernel`` holds each convolution's weights as `[kh, kw, cin, cout]`.
public final class Model {
    /// Per-sample input shape, e.g. `[28, 28, 1]`.
    public let inputShape: [Int]
    /// The shape `[h, w, c]` of the images the model takes: its input shape, or `[h, w, 1]` for
    /// a model taking `[h, w]` (no channel axis, as Keras' `Flatten(input_shape=(28, 28))`),
    /// whose grey images have the same values in the same order.
    public var imageShape: [Int] { inputShape.count == 2 ? inputShape + [1] : inputShape }
    /// The layers in order.
    public let layers: [any Layer]
    /// The architecture the layers were built from.
    public let architecture: [LayerSpec]
    /// The name of each class (output), when known; saved with the model.
    public var classNames: [String]?
    /// The parameters, by full name (`conv2d.bias`), that the file the model was read from
    /// does not hold: the bias of a layer built without one (Keras' `use_bias=False`, PyTorch's
    /// `bias=False`), the scale and offset of a batch normalisation built without them. The
    /// layers keep them at their fixed values (0, or 1 for a scale); they are not counted, as
    /// Keras' `count_params()` and PyTorch's state dict do not count them.
    public var omittedParameters: Set<String> = []
    /// The fast path's steps: the layers in order, with a convolution and the pooling after it
    /// as one ``ConvPool`` where they fuse.
    private let fastSteps: [Step]

    /// One step of the fast path.
    private enum Step {
        case layer(any Layer)
        case convPool(ConvPool)
    }

    /// Builds the layers with Keras' default initialisation (glorot-uniform kernels, zero
    /// biases) drawn from `seed`. A layer of more than ``LayerSpec/maximumWeights`` weights, or
    /// layers needing more than `weightBudget` weights in all (the values a file has to load into
    /// them), are refused before anything is allocated.
    public init(
        architecture: [LayerSpec], inputShape: [Int], seed: UInt64, weightBudget: Int = .max
    ) throws {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw LearnedFiltersError.badShape("input shape \(inputShape) must be positive")
        }
        var generator = SeededGenerator(seed: seed)
        var counts = [String: Int]()
        var shape = inputShape
        var built = [any Layer]()
        var totalWeights = 0
        for (position, spec) in architecture.enumerated() {
            let base = spec.baseName
            let index = counts[base, default: 0]
            counts[base] = index + 1
            let name = index == 0 ? base : "\(base)_\(index)"
            guard let weights = spec.weightCount(inputShape: shape),
                weights <= LayerSpec.maximumWeights
            else {
                throw LearnedFiltersError.badShape(
                    "\(name) on an input of shape \(shape) would hold more than \(LayerSpec.maximumWeights) weights"
                )
            }
            totalWeights += weights
            guard totalWeights <= weightBudget else {
                throw LearnedFiltersError.badShape(
                    "the layers up to \(name) need \(totalWeights) weights, more than the \(weightBudget) values available to load"
                )
            }
            let layer: any Layer
            switch spec {
            case .conv2d:
                layer = try Conv2D(name: name, spec: spec, inputShape: shape, generator: &generator)
            case .maxPool2d: layer = try MaxPool2D(name: name, spec: spec, inputShape: shape)
            case .dense:
                layer = try Dense(name: name, spec: spec, inputShape: shape, generator: &generator)
            case .dropout:
                layer = try Dropout(name: name, spec: spec, inputShape: shape, position: position)
            case .flatten: layer = Flatten(name: name, inputShape: shape)
            case .relu: layer = ReLU(name: name, inputShape: shape)
            case .averagePool2d:
                layer = try AveragePool2D(name: name, spec: spec, inputShape: shape)
            case .globalAveragePool2d:
                layer = try GlobalAveragePool2D(name: name, inputShape: shape)
            case .batchNormalization:
                layer = try BatchNormalization(name: name, spec: spec, inputShape: shape)
            case .softmax: layer = Softmax(name: name, inputShape: shape)
            case .activation(let activation):
                layer = ActivationLayer(name: name, activation: activation, inputShape: shape)
            }
            built.append(layer)
            shape = layer.outputShape
        }
        guard shape.count == 1 else {
            throw LearnedFiltersError.badShape(
                "the last layer must output class scores (a flat vector), got shape \(shape)")
        }
        // The loss, evaluate and predict apply the softmax to the model's outputs: one in the
        // model too would take probabilities for logits and apply it twice.
        switch architecture.last {
        case .softmax, .activation(.softmax):
            throw LearnedFiltersError.badShape(
                "the last layer is a softmax: a model outputs logits, and the loss and predict apply the softmax, so leave it out"
            )
        case .dense(let units, .softmax):
            throw LearnedFiltersError.badShape(
                "the last layer, dense:\(units):softmax, applies a softmax: a model outputs logits, and the loss and predict apply the softmax, so leave it out (dense:\(units))"
            )
        default: break
        }
        self.inputShape = inputShape
        self.layers = built
        self.architecture = architecture
        fastSteps = Model.fuse(built)
    }

    /// The layers as fast-path steps, each convolution and pooling pair that ``ConvPool``
    /// takes as one.
    private static func fuse(_ layers: [any Layer]) -> [Step] {
        var steps = [Step]()
        var index = 0
        while index < layers.count {
            if index + 1 < layers.count, let conv = layers[index] as? Conv2D,
                let pool = layers[index + 1] as? MaxPool2D,
                let pair = ConvPool(conv, pool)
            {
                steps.append(.convPool(pair))
                index += 2
            } else {
                steps.append(.layer(layers[index]))
                index += 1
            }
        }
        return steps
    }

    /// Number of classes (the size of the last layer's output).
    public var classes: Int { layers.last?.outputShape.first ?? 0 }

    /// Every trainable parameter with its full Keras-like name (`conv2d.kernel`, ...).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.flatMap { layer in layer.parameters.map { ("\(layer.name).\($0.name)", $0) } }
    }

    /// Total number of values the model's file holds (220,234 for the tutorial network): every
    /// parameter but the omitted ones (see `omittedParameters`).
    public var parameterCount: Int { layers.reduce(0) { $0 + parameterCount(of: $1) } }

    /// The number of values of `layer`'s parameters, the omitted ones left out.
    public func parameterCount(of layer: any Layer) -> Int {
        layer.parameters.reduce(0) {
            $0 + (omittedParameters.contains("\(layer.name).\($1.name)") ? 0 : $1.value.count)
        }
    }

    /// The layer named `name`, if any.
    public func layer(named name: String) -> (any Layer)? {
        layers.first { $0.name == name }
    }

    /// Checks that `batch` is `[n] + inputShape` with `n >= 1`.
    func check(_ batch: Tensor) throws {
        guard batch.shape.count == inputShape.count + 1,
            Array(batch.shape.dropFirst()) == inputShape, batch.batch >= 1
        else {
            throw LearnedFiltersError.badInput(
                "the model expects a batch of shape [n, \(inputShape.map(String.init).joined(separator: ", "))], got \(batch.shape)"
            )
        }
    }

    /// Logits `[n, classes]` for a batch `[n] + inputShape`. In inference mode a logit that is
    /// inf or NaN throws ``LearnedFiltersError/outputNotFinite`` (training checks its loss).
    public func forward(_ batch: Tensor, options: ForwardOptions = ForwardOptions()) throws
        -> Tensor
    {
        try check(batch)
        var value = batch
        if options.implementation == .fast {
            for step in fastSteps {
                switch step {
                case .layer(let layer): value = layer.forward(value, options: options)
                case .convPool(let pair): value = pair.forward(value)
                }
            }
        } else {
            for layer in layers { value = layer.forward(value, options: options) }
        }
        if !options.training { try Self.requireFinite(value) }
        return value
    }

    /// Throws ``LearnedFiltersError/outputNotFinite`` when `logits` hold inf or NaN.
    static func requireFinite(_ logits: Tensor) throws {
        guard logits.values.allSatisfy({ $0.isFinite }) else {
            throw LearnedFiltersError.outputNotFinite
        }
    }

    /// Runs inference on `batch` and returns every layer's output in order, named by layer
    /// (the last is the logits); without `keepingActivations`, only the logits.
    public func forward(
        _ batch: Tensor, keepingActivations: Bool,
        implementation: Implementation = .fast
    ) throws -> [(name: String, output: Tensor)] {
        let options = ForwardOptions(training: false, implementation: implementation)
        guard keepingActivations else {
            let logits = try forward(batch, options: options)
            return layers.last.map { [($0.name, logits)] } ?? []
        }
        try check(batch)
        var value = batch
        var outputs = [(name: String, output: Tensor)]()
        for layer in layers {
            value = layer.forward(value, options: options)
            outputs.append((layer.name, value))
        }
        try Self.requireFinite(value)
        return outputs
    }

    /// One training step's gradients: forward in training mode, mean cross-entropy against
    /// `labels`, backward into the parameters' gradients (which are zeroed first). Returns the
    /// loss and the number of correct predictions.
    public func computeGradients(_ batch: Tensor, labels: [Int], options: ForwardOptions) throws
        -> (loss: Double, correct: Int)
    {
        try check(batch)
        guard labels.count == batch.batch, labels.allSatisfy({ $0 >= 0 && $0 < classes }) else {
            throw LearnedFiltersError.badInput(
                "labels must be \(batch.batch) values in 0..<\(classes)")
        }
        for layer in layers { for parameter in layer.parameters { parameter.zeroGradient() } }
        let logits = try forward(batch, options: options)
        let (loss, gradient) = ReferenceOps.softmaxCrossEntropy(
            logits: logits.values, labels: labels, classes: classes)
        var upstream = Tensor(shape: logits.shape, values: gradient)
        if options.implementation == .fast {
            for (index, step) in fastSteps.enumerated().reversed() {
                let next =
                    switch step {
                    case .layer(let layer):
                        layer.backward(upstream, options: options, needInputGradient: index > 0)
                    case .convPool(let pair): pair.backward(upstream, needInputGradient: index > 0)
                    }
                guard let next else { break }
                upstream = next
            }
        } else {
            for (index, layer) in layers.enumerated().reversed() {
                guard
                    let next = layer.backward(
                        upstream, options: options, needInputGradient: index > 0)
                else { break }
                upstream = next
            }
        }
        return (Double(loss), correctCount(logits: logits, labels: labels))
    }

    /// A Keras-like summary: layer (type), output shape, parameters, then the totals.
    public func summary() -> String {
        func shape(_ dims: [Int]) -> String {
            "(None, " + dims.map(String.init).joined(separator: ", ") + ")"
        }
        let rows = layers.map {
            (
                "\($0.name) (\($0.spec.className))", shape($0.outputShape),
                grouped(parameterCount(of: $0))
            )
        }
        let first = max(28, rows.map { $0.0.count }.max() ?? 0) + 2
        let second = max(25, rows.map { $0.1.count }.max() ?? 0) + 2
        func pad(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(0, width - text.count))
        }
        let rule = String(repeating: "_", count: first + second + 12)
        var lines = [
            "Model: \"sequential\"", rule,
            pad(" Layer (type)", first) + pad("Output Shape", second) + "Param #",
            String(repeating: "=", count: first + second + 12),
        ]
        for (index, row) in rows.enumerated() {
            lines.append(pad(" " + row.0, first) + pad(row.1, second) + row.2)
            lines.append(
                index == rows.count - 1 ? String(repeating: "=", count: first + second + 12) : "")
        }
        let fixed = namedParameters.filter {
            !$0.parameter.trainable && !omittedParameters.contains($0.name)
        }.reduce(0) { $0 + $1.parameter.value.count }
        lines.append("Total params: \(grouped(parameterCount))")
        lines.append("Trainable params: \(grouped(parameterCount - fixed))")
        lines.append("Non-trainable params: \(grouped(fixed))")
        lines.append(rule)
        return lines.joined(separator: "\n")
    }
}

/// Number of rows whose largest logit is at the label (ties go to the lowest class).
func correctCount(logits: Tensor, labels: [Int]) -> Int {
    let classes = logits.itemSize
    var correct = 0
    for (n, label) in labels.enumerated()
    where predictedClass(logits.values, row: n, classes: classes) == label { correct += 1 }
    return correct
}

/// The index of the largest of `classes` values starting at `row * classes`.
func predictedClass(_ values: [Float], row: Int, classes: Int) -> Int {
    var best = 0
    for k in 1..<max(classes, 1) where values[row * classes + k] > values[row * classes + best] {
        best = k
    }
    return best
}

/// An integer with thousands separators: 220,234.
func grouped(_ value: Int) -> String {
    let digits = Array(String(value))
    var text = ""
    for (index, digit) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { text.append(",") }
        text.append(digit)
    }
    return text
}
