// PyTorchLayout: convkit's layers as the equivalent torch.nn.Sequential, and the tensor
// conversions between Keras layout (convkit's) and PyTorch's.

import ConvkitSupport
import LearnedFilters

/// The `torch.nn.Sequential` equivalent to a convkit model, module by module, and how each
/// layer's weights are laid out in its state dict.
///
/// Conv2d weights are `[cout, cin, kh, kw]` (convkit: `[kh, kw, cin, cout]`), Linear weights
/// `[out, in]` (convkit: `[in, out]`). PyTorch flattens (c, h, w) where convkit flattens
/// (h, w, c), so the first Linear after a Flatten of an image has its input columns permuted.
/// Keras' 'same' padding puts the odd pixel after; where that is asymmetric the convolution
/// gets an `nn.ZeroPad2d` (a max pooling an `nn.ConstantPad2d` of -inf) before it.
/// BatchNormalization becomes `nn.BatchNorm2d` (or `1d`) with the model's epsilon written out
/// (Keras' default is 1e-3, PyTorch's 1e-5), to be run in `eval()` mode.
struct PyTorchSequential {
    /// One module: its Python text, and for a module with weights, the convkit layer.
    struct Module {
        var text: String
        var layer: (any Layer)?
        /// For the first Linear after a Flatten of `[h, w, c]`: that shape.
        var flattenedFrom: [Int]?
    }

    var modules: [Module]

    /// The modules of `model`; throws for layers PyTorch's standard modules cannot express.
    init(model: Model, path: String) throws {
        func refuse(_ detail: String) -> ModelExchangeError {
            .cannotExport(path: path, detail: detail)
        }
        var modules = [Module]()
        var pendingFlatten: [Int]?
        for layer in model.layers {
            let shape = layer.inputShape
            switch layer {
            case let conv as Conv2D:
                let g = conv.geometry
                let pads = PyTorchSequential.pads(g)
                var options = [String]()
                if g.strideY != 1 || g.strideX != 1 {
                    options.append("stride=(\(g.strideY), \(g.strideX))")
                }
                if pads.symmetric, pads.top + pads.left > 0 {
                    options.append("padding=(\(pads.top), \(pads.left))")
                } else if !pads.symmetric {
                    modules.append(Module(text: "nn.ZeroPad2d(\(pads.tuple))"))
                }
                if g.dilationY != 1 || g.dilationX != 1 {
                    options.append("dilation=(\(g.dilationY), \(g.dilationX))")
                }
                let head =
                    "nn.Conv2d(\(g.inputChannels), \(conv.filters), kernel_size=(\(g.kernelHeight), \(g.kernelWidth))"
                modules.append(
                    Module(text: ([head] + options).joined(separator: ", ") + ")", layer: conv))
                if let module = PyTorchSequential.module(conv.activation) {
                    modules.append(Module(text: module))
                }
            case let pool as MaxPool2D:
                let g = pool.geometry
                let pads = PyTorchSequential.pads(g)
                var text =
                    "nn.MaxPool2d(kernel_size=(\(g.kernelHeight), \(g.kernelWidth)), stride=(\(g.strideY), \(g.strideX))"
                if pads.symmetric, pads.top + pads.left > 0 {
                    text += ", padding=(\(pads.top), \(pads.left))"
                } else if !pads.symmetric {
                    modules.append(Module(text: "nn.ConstantPad2d(\(pads.tuple), float('-inf'))"))
                }
                modules.append(Module(text: text + ")"))
            case let pool as AveragePool2D:
                let g = pool.geometry
                let pads = PyTorchSequential.pads(g)
                guard pads.symmetric else {
                    throw refuse(
                        "layer '\(pool.name)': average pooling with uneven 'same' padding has no torch.nn equivalent"
                    )
                }
                var text =
                    "nn.AvgPool2d(kernel_size=(\(g.kernelHeight), \(g.kernelWidth)), stride=(\(g.strideY), \(g.strideX))"
                if pads.top + pads.left > 0 {
                    text += ", padding=(\(pads.top), \(pads.left)), count_include_pad=False"
                }
                modules.append(Module(text: text + ")"))
            case is GlobalAveragePool2D:
                modules.append(Module(text: "nn.AdaptiveAvgPool2d(1)"))
                modules.append(Module(text: "nn.Flatten()"))
            case is Flatten:
                modules.append(Module(text: "nn.Flatten()"))
                if shape.count == 3 { pendingFlatten = shape }
                continue
            case let dense as Dense:
                modules.append(
                    Module(
                        text: "nn.Linear(\(shape[0]), \(dense.outputShape[0]))", layer: dense,
                        flattenedFrom: pendingFlatten))
                pendingFlatten = nil
                if let module = PyTorchSequential.module(dense.activation) {
                    modules.append(Module(text: module))
                }
                continue
            case let dropout as Dropout:
                modules.append(Module(text: "nn.Dropout(\(dropout.rate))"))
                continue
            case is ReLU:
                modules.append(Module(text: "nn.ReLU()"))
                continue
            case is Softmax:
                modules.append(Module(text: "nn.Softmax(dim=1)"))
                continue
            case let applied as ActivationLayer:
                if let module = PyTorchSequential.module(applied.activation) {
                    modules.append(Module(text: module))
                }
                continue
            case let norm as BatchNormalization:
                guard pendingFlatten == nil, shape.count == 3 || shape.count == 1 else {
                    throw refuse(
                        "layer '\(norm.name)' (BatchNormalization) normalises a flattened image, whose features PyTorch orders differently"
                    )
                }
                let kind = shape.count == 3 ? "nn.BatchNorm2d" : "nn.BatchNorm1d"
                modules.append(
                    Module(
                        text: "\(kind)(\(shape[shape.count - 1]), eps=\(norm.epsilon))", layer: norm
                    ))
            default:
                throw refuse(
                    "layer '\(layer.name)' (\(layer.spec.className)) has no torch.nn equivalent here"
                )
            }
            pendingFlatten = nil
        }
        self.modules = modules
    }

    /// The torch.nn module of an activation (nil for linear); softmax over dim 1, the
    /// channels of NCHW or the features of a flat input, as Keras' last axis.
    static func module(_ activation: Activation) -> String? {
        switch activation {
        case .linear: nil
        case .relu: "nn.ReLU()"
        case .sigmoid: "nn.Sigmoid()"
        case .tanh: "nn.Tanh()"
        case .softmax: "nn.Softmax(dim=1)"
        case .selu: "nn.SELU()"
        case .elu(let alpha): "nn.ELU(alpha=\(alpha))"
        case .gelu(let approximate): approximate ? "nn.GELU(approximate='tanh')" : "nn.GELU()"
        case .leakyRelu(let slope): "nn.LeakyReLU(negative_slope=\(slope))"
        }
    }

    /// Keras' padding of a window as PyTorch's arguments.
    static func pads(_ g: ConvGeometry)
        -> (top: Int, bottom: Int, left: Int, right: Int, symmetric: Bool, tuple: String)
    {
        let bottom = max(
            0,
            (g.outputHeight - 1) * g.strideY
                + dilatedKernelSpan(kernel: g.kernelHeight, dilation: g.dilationY)
                - g.inputHeight - g.padTop)
        let right = max(
            0,
            (g.outputWidth - 1) * g.strideX
                + dilatedKernelSpan(kernel: g.kernelWidth, dilation: g.dilationX)
                - g.inputWidth - g.padLeft)
        return (
            g.padTop, bottom, g.padLeft, right, g.padTop == bottom && g.padLeft == right,
            "(\(g.padLeft), \(right), \(g.padTop), \(bottom))"
        )
    }

    /// The Python source of the `nn.Sequential`.
    var python: String {
        "nn.Sequential(\n" + modules.map { "    \($0.text)," }.joined(separator: "\n") + "\n)"
    }
}

/// Conversions of one tensor between Keras layout and PyTorch's.
enum LayoutConversion {
    /// `[kh, kw, cin, cout]` to `[cout, cin, kh, kw]`.
    static func convKernelToPyTorch(_ v: [Float], shape s: [Int]) -> [Float] {
        permuteConvKernel(v, kerasShape: s, toPyTorch: true)
    }

    /// `[cout, cin, kh, kw]` to `[kh, kw, cin, cout]`.
    static func convKernelFromPyTorch(_ v: [Float], kerasShape s: [Int]) -> [Float] {
        permuteConvKernel(v, kerasShape: s, toPyTorch: false)
    }

    /// Moves every weight between its Keras index `((y * kw + x) * cin + i) * cout + o` and its
    /// PyTorch index `((o * cin + i) * kh + y) * kw + x`, in the direction asked.
    private static func permuteConvKernel(_ v: [Float], kerasShape s: [Int], toPyTorch: Bool)
        -> [Float]
    {
        let (kh, kw, ci, co) = (s[0], s[1], s[2], s[3])
        var out = [Float](repeating: 0, count: v.count)
        for y in 0..<kh {
            for x in 0..<kw {
                for i in 0..<ci {
                    for o in 0..<co {
                        let keras = ((y * kw + x) * ci + i) * co + o
                        let torch = ((o * ci + i) * kh + y) * kw + x
                        if toPyTorch { out[torch] = v[keras] } else { out[keras] = v[torch] }
                    }
                }
            }
        }
        return out
    }

    /// The Keras input row of PyTorch input column `column` after a Flatten of `[h, w, c]`.
    static func kerasRow(ofTorchColumn column: Int, image: [Int]) -> Int {
        let (h, w, c) = (image[0], image[1], image[2])
        let channel = column / (h * w)
        let y = (column / w) % h
        let x = column % w
        return (y * w + x) * c + channel
    }

    /// Keras `[in, out]` to PyTorch `[out, in]`, reordering the inputs from (h, w, c) to
    /// (c, h, w) when the layer follows a Flatten of `image`.
    static func denseKernelToPyTorch(_ v: [Float], shape s: [Int], image: [Int]?) -> [Float] {
        permuteDenseKernel(v, kerasShape: s, image: image, toPyTorch: true)
    }

    /// PyTorch `[out, in]` to Keras `[in, out]`, the reverse of ``denseKernelToPyTorch``.
    static func denseKernelFromPyTorch(_ v: [Float], kerasShape s: [Int], image: [Int]?)
        -> [Float]
    {
        permuteDenseKernel(v, kerasShape: s, image: image, toPyTorch: false)
    }

    /// Moves every weight between its Keras index `row * out + o` and its PyTorch index
    /// `o * in + column`, in the direction asked (`row` is `column` unless a Flatten reorders).
    private static func permuteDenseKernel(
        _ v: [Float], kerasShape s: [Int], image: [Int]?, toPyTorch: Bool
    ) -> [Float] {
        let (inputs, outputs) = (s[0], s[1])
        var out = [Float](repeating: 0, count: v.count)
        for column in 0..<inputs {
            let row = image.map { kerasRow(ofTorchColumn: column, image: $0) } ?? column
            for o in 0..<outputs {
                let keras = row * outputs + o
                let torch = o * inputs + column
                if toPyTorch { out[torch] = v[keras] } else { out[keras] = v[torch] }
            }
        }
        return out
    }
}
