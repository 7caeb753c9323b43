// ModelSourceOptions: how the model-taking commands open any supported model file.

import ArgumentParser
import LearnedFilters
import ModelExchange

extension TensorLayout: ExpressibleByArgument {}

/// What a model file may not say for itself: the architecture of bare weights, the input
/// shape, the class names.
struct ArchitectureOptions: ParsableArguments {
    @Option(
        name: .customLong("arch"),
        help: ArgumentHelp(
            "Architecture of bare weights (a .weights.h5 file or a state dict): convkit's text form or a Keras model.to_json() file. A batchnorm without eps= has Keras' epsilon, 1e-3, or PyTorch's, 1e-5, for a PyTorch state dict.",
            valueName: "ARCH|FILE.json"))
    var architecture: String?

    @Option(
        help: ArgumentHelp("Input shape for --arch (default 28x28x1).", valueName: "HxWxC"))
    var inputShape: String?

    @Option(
        help: ArgumentHelp(
            "Class names, comma-separated, for a model file without them.", valueName: "NAMES"))
    var classNames: String?

    func validate() throws { _ = try shape() }

    /// The parsed input shape.
    func shape() throws -> [Int]? {
        guard let inputShape else { return nil }
        let parts = inputShape.split(whereSeparator: { $0 == "x" || $0 == "," }).map { Int($0) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 1 << 14 }) else {
            throw ValidationError("--input-shape must be like 28x28x1, got '\(inputShape)'")
        }
        return parts.compactMap { $0 }
    }

    func options(layout: TensorLayout?) throws -> ModelOpenOptions {
        ModelOpenOptions(
            architecture: architecture, inputShape: try shape(), layout: layout,
            classNames: classNames.map {
                $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            })
    }
}

extension ArgumentHelp {
    /// The help of the model-file argument of every command that reads a model.
    static var modelFile: ArgumentHelp {
        ArgumentHelp(
            "Model file (convkit .safetensors, Keras .keras, .h5 or .weights.h5, a state dict).",
            valueName: "model")
    }
}

/// The options of the commands that read a model: any supported file (convkit's safetensors,
/// a Keras .keras, legacy .h5 or .weights.h5 file, a safetensors state dict in Keras or PyTorch layout).
struct ModelSourceOptions: ParsableArguments {
    @OptionGroup var architecture: ArchitectureOptions

    @Option(
        help: "Tensor layout of a state dict: keras or pytorch (default: told by its tensor names)."
    )
    var layout: TensorLayout?

    /// Opens `path` with these options.
    func open(_ path: String) throws -> ImportedModel {
        try ModelFiles.open(path: path, options: architecture.options(layout: layout))
    }
}
