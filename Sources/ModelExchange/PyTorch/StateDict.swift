// StateDict: a model's weights as a safetensors state dict in Keras or PyTorch layout, both ways.

import LearnedFilters

/// Reading weights from a state dict given the architecture, and writing a model's weights as
/// the state dict of its equivalent `torch.nn.Sequential` (``PyTorchSequential``).
///
/// Tensors are matched to layers in order: they are grouped by module (the name before the last
/// `.`), modules sorted by name with numbers compared as numbers (`2.weight` before
/// `10.weight`, as `nn.Sequential` numbers them), and each layer with weights takes the next
/// module. Shapes are checked against the architecture. A module may leave out a bias
/// (`bias=False`) or a batch normalisation's weight and bias (`affine=False`).
enum StateDict {
    /// Metadata `format` of state dicts convkit writes, which also carry the architecture.
    static let pytorchFormat = "convkit-pytorch-state-dict"

    /// The parameter names of each layout: convkit's name -> the state dict's.
    static func externalName(_ name: String, layout: TensorLayout) -> String {
        guard layout == .pytorch else { return name }
        switch name {
        case "kernel", "gamma": return "weight"
        case "beta": return "bias"
        case "moving_mean": return "running_mean"
        case "moving_variance": return "running_var"
        default: return name
        }
    }

    /// The model of `architecture` on `inputShape` with the weights of `file`; a note when its
    /// modules were not taken in the order of their names (``ModuleOrder``), and for PyTorch
    /// weights the cautions of ``unevenPaddingCautions(_:)``.
    static func model(
        file: SafeTensorsFile, architecture: [LayerSpec], inputShape: [Int], layout: TensorLayout,
        path: String
    ) throws -> (model: Model, notes: [String], cautions: [String]) {
        func mismatch(_ detail: String) -> ModelExchangeError {
            .mismatch(path: path, detail: detail)
        }
        let values = file.tensors.reduce(0) { $0 + $1.tensor.values.count }
        let model: Model
        do {
            model = try Model(
                architecture: architecture, inputShape: inputShape, seed: 0,
                weightBudget: max(values, 1 << 20))
        } catch let error as LearnedFiltersError {
            throw mismatch("the architecture does not fit: \(error)")
        }
        var groups = [String: [String: Tensor]]()
        for (name, tensor) in file.tensors {
            // A bare module's state dict (a saved nn.Linear) names its tensors `weight` and
            // `bias`: one module with the empty name.
            guard let cut = name.lastIndex(of: ".") else {
                groups["", default: [:]][name] = tensor
                continue
            }
            groups[String(name[..<cut]), default: [:]][String(name[name.index(after: cut)...])] =
                tensor
        }
        let weighted = model.layers.filter { !$0.parameters.isEmpty }
        guard groups.count == weighted.count else {
            let named = groups.keys.sorted(by: ModuleOrder.naturalOrder)
            throw mismatch(
                "holds weights of \(named.count) modules (\(named.prefix(12).joined(separator: ", "))), the architecture has \(weighted.count) layers with weights"
            )
        }
        let resolved = ModuleOrder.resolve(Array(groups.keys)) { order in
            zip(weighted, order).allSatisfy { layer, module in
                fits(layer, groups[module] ?? [:], layout: layout)
            }
        }
        let modules = resolved?.order ?? groups.keys.sorted(by: ModuleOrder.naturalOrder)
        var flattened: [Int]?
        var next = 0
        for layer in model.layers {
            switch layer {
            case is Flatten: flattened = layer.inputShape.count == 3 ? layer.inputShape : nil
            case is Dropout, is ReLU, is Softmax, is ActivationLayer, is Dense: break
            case is BatchNormalization where flattened != nil && layout == .pytorch:
                throw mismatch(
                    "layer '\(layer.name)' (BatchNormalization) normalises a flattened image, whose features PyTorch orders differently"
                )
            default: flattened = nil
            }
            guard !layer.parameters.isEmpty else { continue }
            let module = modules[next]
            next += 1
            let tensors = groups[module] ?? [:]
            let omitted = omittedParameters(layer, keys: Set(tensors.keys), layout: layout)
            for parameter in layer.parameters {
                if let value = omitted[parameter.name] {
                    parameter.value = [Float](repeating: value, count: parameter.value.count)
                    model.omittedParameters.insert("\(layer.name).\(parameter.name)")
                    continue
                }
                let key = externalName(parameter.name, layout: layout)
                let label = module.isEmpty ? key : "\(module).\(key)"
                guard let tensor = tensors[key] else {
                    throw mismatch(
                        "no tensor '\(label)' for layer '\(layer.name)' (\(layer.spec.className)); the module has \(tensors.keys.sorted().joined(separator: ", "))"
                    )
                }
                let expected = externalShape(
                    parameter.shape, of: layer, name: parameter.name, layout: layout)
                guard tensor.shape == expected else {
                    throw mismatch(
                        "tensor '\(label)' has shape \(tensor.shape); layer '\(layer.name)' (\(layer.spec.className)) needs \(expected)"
                    )
                }
                guard tensor.values.allSatisfy(\.isFinite) else {
                    throw mismatch("tensor '\(label)' holds NaN or infinite values")
                }
                parameter.value = toKeras(
                    tensor.values, parameter: parameter, layer: layer, layout: layout,
                    flattened: flattened)
            }
            if layer is Dense { flattened = nil }
        }
        if let names = file.metadata["class_names"] {
            let list = names.split(separator: ",", omittingEmptySubsequences: false).map(
                String.init)
            if list.count == model.classes { model.classNames = list }
        }
        return (
            model, resolved?.note.map { [$0] } ?? [],
            layout == .pytorch ? unevenPaddingCautions(model) : []
        )
    }

    /// The parameters of `layer` that its module left out of the state dict (the names of
    /// `keys`), each with the value it then has: the bias of a convolution or linear layer built
    /// with `bias=False` (Keras' `use_bias=False`), zero; the weight and bias of a batch
    /// normalisation built with `affine=False`, which go together, one and zero.
    static func omittedParameters(_ layer: any Layer, keys: Set<String>, layout: TensorLayout)
        -> [String: Float]
    {
        func absent(_ name: String) -> Bool { !keys.contains(externalName(name, layout: layout)) }
        switch layer {
        case is Conv2D, is Dense: return absent("bias") ? ["bias": 0] : [:]
        case is BatchNormalization:
            return absent("gamma") && absent("beta") ? ["gamma": 1, "beta": 0] : [:]
        default: return [:]
        }
    }

    /// A caution for each window whose 'same' padding is uneven, the odd row or column after as
    /// in Keras. PyTorch's `padding=` pads evenly, so PyTorch weights give these outputs only
    /// when the model padded by a module of its own (`nn.ZeroPad2d`) before the window.
    static func unevenPaddingCautions(_ model: Model) -> [String] {
        model.layers.compactMap { layer in
            let geometry: ConvGeometry
            switch layer {
            case let conv as Conv2D: geometry = conv.geometry
            case let pool as MaxPool2D: geometry = pool.geometry
            case let pool as AveragePool2D: geometry = pool.geometry
            default: return nil
            }
            let pads = PyTorchSequential.pads(geometry)
            guard !pads.symmetric else { return nil }
            return
                "layer '\(layer.name)' ('same') pads unevenly as Keras does, \(pads.tuple) as (left, right, top, bottom); PyTorch's padding= pads evenly, so these are the PyTorch model's outputs only if it padded \(pads.tuple) itself (nn.ZeroPad2d) before the layer"
        }
    }

    /// Whether `tensors`, one module's, hold every parameter of `layer` that the module may
    /// not leave out, each in the shape the layer needs.
    static func fits(_ layer: any Layer, _ tensors: [String: Tensor], layout: TensorLayout) -> Bool
    {
        let omitted = omittedParameters(layer, keys: Set(tensors.keys), layout: layout)
        return layer.parameters.allSatisfy { parameter in
            omitted[parameter.name] != nil
                || tensors[externalName(parameter.name, layout: layout)]?.shape
                    == externalShape(
                        parameter.shape, of: layer, name: parameter.name, layout: layout)
        }
    }

    /// The shape a parameter has in the state dict.
    static func externalShape(
        _ shape: [Int], of layer: any Layer, name: String, layout: TensorLayout
    )
        -> [Int]
    {
        guard layout == .pytorch, name == "kernel" else { return shape }
        return layer is Conv2D ? [shape[3], shape[2], shape[0], shape[1]] : [shape[1], shape[0]]
    }

    static func toKeras(
        _ values: [Float], parameter: Parameter, layer: any Layer, layout: TensorLayout,
        flattened: [Int]?
    ) -> [Float] {
        guard layout == .pytorch, parameter.name == "kernel" else { return values }
        if layer is Conv2D {
            return LayoutConversion.convKernelFromPyTorch(values, kerasShape: parameter.shape)
        }
        return LayoutConversion.denseKernelFromPyTorch(
            values, kerasShape: parameter.shape, image: flattened)
    }

    /// The model's weights as the state dict of its equivalent `nn.Sequential`, with the
    /// architecture and class names in the metadata (which `torch` ignores).
    static func pytorch(_ model: Model, path: String) throws -> (
        file: SafeTensorsFile, python: String
    ) {
        let sequential = try PyTorchSequential(model: model, path: path)
        var tensors = [(name: String, tensor: Tensor)]()
        var counters = [String: Int64]()
        for (index, module) in sequential.modules.enumerated() {
            guard let layer = module.layer else { continue }
            // BatchNorm's counter of training batches, which eval() does not use.
            if layer is BatchNormalization { counters["\(index).num_batches_tracked"] = 0 }
            for parameter in layer.parameters {
                var values = parameter.value
                let shape = externalShape(
                    parameter.shape, of: layer, name: parameter.name, layout: .pytorch)
                if parameter.name == "kernel" {
                    values =
                        layer is Conv2D
                        ? LayoutConversion.convKernelToPyTorch(values, shape: parameter.shape)
                        : LayoutConversion.denseKernelToPyTorch(
                            values, shape: parameter.shape, image: module.flattenedFrom)
                }
                tensors.append(
                    (
                        "\(index).\(externalName(parameter.name, layout: .pytorch))",
                        Tensor(shape: shape, values: values)
                    ))
            }
        }
        var metadata = [
            "format": pytorchFormat, "architecture": LayerSpec.text(model.architecture),
            "input_shape": model.inputShape.map(String.init).joined(separator: ","),
        ]
        if let names = model.classNames { metadata["class_names"] = names.joined(separator: ",") }
        return (
            SafeTensorsFile(tensors: tensors, metadata: metadata, counters: counters),
            sequential.python
        )
    }
}
