// `convkit export`: a model as ONNX or as safetensors (convkit's own or a PyTorch state dict).

import ArgumentParser
import Foundation
import LearnedFilters
import ModelExchange

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a model as ONNX or safetensors (convkit's form or a PyTorch state dict).",
        usage: "convkit export <model> [<options>] -o <file>",
        discussion: """
            The output's extension chooses the format. .onnx: opset 17, input NCHW [batch, \
            channels, height, width], output the logits, class names in metadata_props. \
            .safetensors: convkit's model file (Keras layout), or with --layout pytorch the \
            state dict of the equivalent torch.nn.Sequential, which this command prints: \
            model.load_state_dict(safetensors.torch.load_file(FILE)) loads it. The input is \
            any model file convkit reads (a state dict's layout is told by its tensor names).

            Examples:
              convkit export model.safetensors -o model.onnx
              convkit export model.safetensors --layout pytorch -o state.safetensors
              convkit export model.keras -o model.safetensors
            """
    )

    @Argument(
        help: ArgumentHelp(
            "Model file (.safetensors, .keras, .h5, .weights.h5 with --arch).", valueName: "model"))
    var model: String

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("File to write (.onnx or .safetensors).", valueName: "file"))
    var output: String

    @Option(
        help: "Tensor layout of a .safetensors output: keras or pytorch (default: keras).")
    var layout: TensorLayout = .keras

    @OptionGroup var architecture: ArchitectureOptions

    func validate() throws {
        let format = try OutputPaths.format(
            of: output, among: ExportFileFormat.allCases, what: "an exported model")
        if format == .onnx, layout != .keras {
            throw ValidationError("--layout applies to .safetensors outputs only")
        }
    }

    func run() throws {
        let imported = try FileKind.expecting(
            "a model file", path: model, accepted: InputFiles.modelKinds
        ) { try ModelFiles.open(path: model, options: architecture.options(layout: nil)) }
        try InputFiles.requireUsedOptions(imported, path: model)
        let result = try ModelExport.write(imported.model, to: output, layout: layout)
        print(
            "\(output): \(result.format), \(imported.model.layers.count) layers, \(imported.model.parameterCount) parameters"
        )
        for note in imported.notes { print("note: \(note)") }
        if let module = result.pytorchModule {
            print("loads into:\nimport torch.nn as nn\nmodel = \(module)")
        }
    }
}

/// The files `export -o` writes, by extension.
enum ExportFileFormat: String, CaseIterable {
    case onnx, safetensors
}
