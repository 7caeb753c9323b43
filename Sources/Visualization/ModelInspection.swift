// ModelInspection: a trained model's convolution kernels and one input's feature maps, by layer name.

import Foundation
import LearnedFilters

/// A loaded model with the names its figures use.
///
/// Layers are named as Keras names them (`conv2d`, `max_pooling2d`, `conv2d_1`, ...) and also
/// answer to the short names of the tutorial: `conv1`, `conv2`, ... for the convolutions in
/// order and `pool1`, `pool2`, ... for the max-pooling layers.
package struct ModelInspection {
    package let model: Model
    /// Class names from the model file's metadata, else the class indices.
    package let classNames: [String]

    package init(model: Model, classNames: [String]? = nil) {
        self.model = model
        let names = classNames ?? []
        self.classNames =
            names.count == model.classes ? names : (0..<model.classes).map(String.init)
    }

    /// Loads a model file written by `convkit train`, with the class names of its metadata, else
    /// `defaultClassNames` (else the class indices).
    package static func load(path: String, defaultClassNames: [String]? = nil) throws
        -> ModelInspection
    {
        let file = try SafeTensorsFile.read(path: path)
        let model = try Model.load(file: file, path: path)
        let names = file.metadata["class_names"].map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        return ModelInspection(model: model, classNames: names ?? defaultClassNames)
    }

    /// The tutorial's short name of `layer` (`conv1`, `pool2`), or nil for other kinds.
    package func shortName(of layer: any Layer) -> String? {
        let prefix: String
        switch layer {
        case is Conv2D: prefix = "conv"
        case is MaxPool2D: prefix = "pool"
        default: return nil
        }
        let same = model.layers.filter { type(of: $0) == type(of: layer) }
        guard let index = same.firstIndex(where: { $0 === layer }) else { return nil }
        return "\(prefix)\(index + 1)"
    }

    /// `conv2d (conv1)` for layers with a short name, else the layer's name.
    package func displayName(of layer: any Layer) -> String {
        shortName(of: layer).map { "\(layer.name) (\($0))" } ?? layer.name
    }

    /// The convolution layers in order.
    package var convolutions: [Conv2D] { model.layers.compactMap { $0 as? Conv2D } }

    /// The layer called `name` (Keras or short name).
    /// - Throws: ``VisualizationError/noSuchLayer(name:available:)`` listing the names there are.
    package func layer(named name: String) throws -> any Layer {
        if let found = model.layers.first(where: { $0.name == name || shortName(of: $0) == name }) {
            return found
        }
        throw VisualizationError.noSuchLayer(name: name, available: model.layers.map(displayName))
    }

    /// The kernel of the convolution called `name`, or of the first convolution when `name` is nil.
    package func kernel(layer name: String?) throws -> (layer: Conv2D, weights: KernelWeights) {
        let convolutions = self.convolutions
        guard let first = convolutions.first else {
            throw VisualizationError.badData(
                "the model has no convolution layer, so it has no filters")
        }
        guard let name else {
            return (first, try KernelWeights(shape: first.kernel.shape, values: first.kernel.value))
        }
        guard let conv = try layer(named: name) as? Conv2D else {
            throw VisualizationError.noSuchLayer(
                name: name, available: convolutions.map(displayName))
        }
        return (conv, try KernelWeights(shape: conv.kernel.shape, values: conv.kernel.value))
    }

    /// One input's trip through the network.
    package struct Trace {
        /// Every layer whose output is a stack of feature maps: its name, per-sample shape
        /// `[h, w, channels]` and values (NHWC).
        package var maps: [(layer: any Layer, shape: [Int], values: [Float])]
        /// Softmax of the logits.
        package var probabilities: [Double]
        /// The most probable class (the lowest index on a tie).
        package var predicted: Int
    }

    /// Runs `input` (the model's per-sample input shape, values in 0...1) through the model in
    /// inference mode, keeping every layer's output.
    package func trace(_ input: [Float]) throws -> Trace {
        guard input.count == model.inputShape.reduce(1, *) else {
            throw VisualizationError.mismatch(
                "the model takes inputs of shape \(model.inputShape), got \(input.count) values")
        }
        let outputs = try model.forward(
            Tensor(shape: [1] + model.inputShape, values: input), keepingActivations: true)
        var maps = [(layer: any Layer, shape: [Int], values: [Float])]()
        for (layer, output) in zip(model.layers, outputs) where layer.outputShape.count == 3 {
            maps.append((layer, layer.outputShape, output.output.values))
        }
        let probabilities = try Model.probabilities(logits: outputs.last?.output.values ?? [])
        let predicted = probabilities.indices.reduce(0) {
            probabilities[$1] > probabilities[$0] ? $1 : $0
        }
        return Trace(maps: maps, probabilities: probabilities, predicted: predicted)
    }
}
