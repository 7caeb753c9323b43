// ONNXExport: a convkit model as an ONNX graph (opset 17): NCHW in, logits out.

import Foundation
import LearnedFilters
import ONNXProtobuf

/// Writes a model as ONNX for onnxruntime and the tools people deploy with.
///
/// The graph takes `input` of shape `[batch, channels, height, width]` (NCHW, ONNX's convention)
/// and gives `logits` `[batch, classes]` (no softmax, as convkit's models). Layers become
/// Conv, MaxPool, AveragePool (`count_include_pad=0`), GlobalAveragePool + Flatten,
/// BatchNormalization, Gemm, and the activations as Relu, Sigmoid, Tanh, Softmax (axis 1, the
/// channels or features), Elu, Selu, LeakyRelu, and GELU as the nodes of its formula (Gelu
/// itself needs opset 20): `0.5 x (1 + Erf(x / sqrt 2))`, or with Tanh for the tanh
/// approximation; before a Flatten
/// of an image a Transpose to NHWC makes the flattening order (h, w, c) as in convkit, so the
/// Dense kernels are stored as they are (`Gemm` with `transB=0`). Dropout does nothing at
/// inference and is left out. Class names go in `metadata_props` (`class_names`, comma-
/// separated), with the architecture and the input layout.
package enum ONNXExport {
    /// The opset the graph is written for.
    package static let opset: Int64 = 17
    /// IR version 8, the one of opset 17's ONNX release (1.12).
    package static let irVersion: Int64 = 8

    /// The model as an ONNX `ModelProto`.
    package static func model(_ model: Model) throws -> Onnx_ModelProto {
        var graph = Onnx_GraphProto()
        graph.name = "convkit"
        var current = "input"
        var counter = 0
        func next(_ base: String) -> String {
            counter += 1
            return "\(base)_\(counter)"
        }
        func node(
            _ op: String, _ inputs: [String], _ attributes: [Onnx_AttributeProto] = [], name: String
        ) -> String {
            var proto = Onnx_NodeProto()
            proto.opType = op
            proto.name = name
            proto.input = inputs
            let output = next(op.lowercased())
            proto.output = [output]
            proto.attribute = attributes
            graph.node.append(proto)
            return output
        }
        func weight(_ name: String, _ shape: [Int], _ values: [Float]) -> String {
            var tensor = Onnx_TensorProto()
            tensor.name = name
            tensor.dims = shape.map(Int64.init)
            tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
            var bytes = Data(capacity: values.count * 4)
            for value in values {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
            tensor.rawData = bytes
            graph.initializer.append(tensor)
            return name
        }
        func scalar(_ name: String, _ value: Float) -> String {
            graph.initializer.contains { $0.name == name } ? name : weight(name, [], [value])
        }
        /// Appends the nodes of `activation` after `current`.
        func activate(_ activation: Activation, name: String) {
            let x = current
            switch activation {
            case .linear: return
            case .relu: current = node("Relu", [x], name: name)
            case .sigmoid: current = node("Sigmoid", [x], name: name)
            case .tanh: current = node("Tanh", [x], name: name)
            case .softmax: current = node("Softmax", [x], [int("axis", 1)], name: name)
            case .selu: current = node("Selu", [x], name: name)
            case .elu(let alpha): current = node("Elu", [x], [float("alpha", alpha)], name: name)
            case .leakyRelu(let slope):
                current = node("LeakyRelu", [x], [float("alpha", slope)], name: name)
            case .gelu(let approximate):
                let one = scalar("gelu.one", 1)
                let half = scalar("gelu.half", 0.5)
                var inner: String
                if approximate {
                    let cube = node(
                        "Mul", [node("Mul", [x, x], name: name + "/square"), x],
                        name: name + "/cube"
                    )
                    let cubic = node(
                        "Mul", [cube, scalar("gelu.cubic", 0.044715)], name: name + "/cubic")
                    let sum = node("Add", [x, cubic], name: name + "/sum")
                    let scaled = node(
                        "Mul", [sum, scalar("gelu.tanh_factor", 0.7978845608028654)],
                        name: name + "/scaled")
                    inner = node("Tanh", [scaled], name: name + "/tanh")
                } else {
                    let scaled = node(
                        "Div", [x, scalar("gelu.sqrt2", Float(2).squareRoot())],
                        name: name + "/scaled")
                    inner = node("Erf", [scaled], name: name + "/erf")
                }
                inner = node("Add", [inner, one], name: name + "/plus_one")
                inner = node("Mul", [x, inner], name: name + "/times_x")
                current = node("Mul", [inner, half], name: name)
            }
        }
        for layer in model.layers {
            switch layer {
            case let conv as Conv2D:
                let g = conv.geometry
                let kernel = LayoutConversion.convKernelToPyTorch(
                    conv.kernel.value, shape: conv.kernel.shape)
                let w = weight(
                    "\(conv.name).weight",
                    [conv.filters, g.inputChannels, g.kernelHeight, g.kernelWidth], kernel)
                let b = weight("\(conv.name).bias", [conv.filters], conv.bias.value)
                current = node(
                    "Conv", [current, w, b],
                    windowAttributes(g, dilated: true), name: conv.name)
                activate(conv.activation, name: conv.name + "/" + conv.activation.text)
            case let pool as MaxPool2D:
                let g = pool.geometry
                current = node(
                    "MaxPool", [current],
                    windowAttributes(g, dilated: false), name: pool.name)
            case let pool as AveragePool2D:
                let g = pool.geometry
                current = node(
                    "AveragePool", [current],
                    windowAttributes(g, dilated: false) + [int("count_include_pad", 0)],
                    name: pool.name)
            case is GlobalAveragePool2D:
                current = node("GlobalAveragePool", [current], name: layer.name)
                current = node(
                    "Flatten", [current], [int("axis", 1)], name: layer.name + "/flatten")
            case is Flatten:
                if layer.inputShape.count == 3 {
                    current = node(
                        "Transpose", [current], [ints("perm", [0, 2, 3, 1])],
                        name: layer.name + "/nhwc")
                }
                current = node("Flatten", [current], [int("axis", 1)], name: layer.name)
            case let dense as Dense:
                let w = weight("\(dense.name).kernel", dense.kernel.shape, dense.kernel.value)
                let b = weight("\(dense.name).bias", dense.bias.shape, dense.bias.value)
                current = node("Gemm", [current, w, b], name: dense.name)
                activate(dense.activation, name: dense.name + "/" + dense.activation.text)
            case let norm as BatchNormalization:
                let names = norm.parameters.map {
                    weight("\(norm.name).\($0.name)", $0.shape, $0.value)
                }
                current = node(
                    "BatchNormalization", [current] + names, [float("epsilon", norm.epsilon)],
                    name: norm.name)
            case is ReLU:
                current = node("Relu", [current], name: layer.name)
            case is Softmax:
                current = node("Softmax", [current], [int("axis", 1)], name: layer.name)
            case let applied as ActivationLayer:
                activate(applied.activation, name: applied.name)
            case is Dropout:
                continue
            default:
                throw ModelExchangeError.cannotExport(
                    path: "ONNX",
                    detail: "layer '\(layer.name)' (\(layer.spec.className)) has no ONNX form here")
            }
        }
        // The last node's output is the graph's output.
        if var last = graph.node.popLast() {
            last.output = ["logits"]
            graph.node.append(last)
        }
        let shape = model.inputShape
        let nchw = shape.count == 3 ? [shape[2], shape[0], shape[1]] : shape
        graph.input = [valueInfo("input", dims: nchw)]
        graph.output = [valueInfo("logits", dims: [model.classes])]
        var proto = Onnx_ModelProto()
        proto.irVersion = irVersion
        proto.producerName = "convkit"
        proto.producerVersion = "0.1.0"
        var operatorSet = Onnx_OperatorSetIdProto()
        operatorSet.domain = ""
        operatorSet.version = Self.opset
        proto.opsetImport = [operatorSet]
        proto.graph = graph
        var metadata = [
            ("architecture", LayerSpec.text(model.architecture)),
            ("input_layout", "NCHW"),
            ("input_shape_nhwc", model.inputShape.map(String.init).joined(separator: ",")),
            ("outputs", "logits"),
        ]
        if let names = model.classNames {
            metadata.append(("class_names", names.joined(separator: ",")))
        }
        proto.metadataProps = metadata.map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
        return proto
    }

    /// The model's ONNX bytes.
    package static func bytes(_ model: Model) throws -> [UInt8] {
        Array(try self.model(model).serializedData())
    }

    /// ONNX pads `[top, left, bottom, right]` of a window.
    static func pads(_ g: ConvGeometry) -> [Int] {
        let p = PyTorchSequential.pads(g)
        return [p.top, p.left, p.bottom, p.right]
    }

    /// The attributes of a sliding window, in ONNX's order: kernel_shape, strides, dilations (a
    /// convolution's; pooling leaves them out) and pads.
    static func windowAttributes(_ g: ConvGeometry, dilated: Bool) -> [Onnx_AttributeProto] {
        [
            ints("kernel_shape", [g.kernelHeight, g.kernelWidth]),
            ints("strides", [g.strideY, g.strideX]),
        ]
            + (dilated ? [ints("dilations", [g.dilationY, g.dilationX])] : [])
            + [ints("pads", pads(g))]
    }

    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .ints
        attribute.ints = values.map(Int64.init)
        return attribute
    }

    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .int
        attribute.i = Int64(value)
        return attribute
    }

    static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .float
        attribute.f = value
        return attribute
    }

    /// A float tensor's description with a symbolic batch axis before `dims`.
    static func valueInfo(_ name: String, dims: [Int]) -> Onnx_ValueInfoProto {
        var shape = Onnx_TensorShapeProto()
        var batch = Onnx_TensorShapeProto.Dimension()
        batch.dimParam = "batch"
        shape.dim =
            [batch]
            + dims.map { size in
                var dimension = Onnx_TensorShapeProto.Dimension()
                dimension.dimValue = Int64(size)
                return dimension
            }
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensor
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type = type
        return info
    }
}
