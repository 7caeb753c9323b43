// `convkit export`: a model as ONNX or as safetensors (convkit's own or a PyTorch state dict).

import ArgumentParser
import Foundation
import LearnedFilters
import ModelExchange

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a model as ONNX or safetensors (convkit's form or a PyTorch state dict).",
        discussion: """
            The output's extension chooses the format. .onnx: opset 17, input NCHW
            [batch, channels, height, width], output the logits, class names in metadata_props.
            .safetensors: convkit's model file (Keras layout), or with --layout pytorch the
            state dict of the equivalent torch.nn.Sequential, which this command prints:
            model.load_state_dict(safetensors.torch.load_file(FILE)) loads it. The input is any
            model file convkit reads (a state dict's layout is told by its tensor names).
            """
    )

    @Argument(help: "Model file (.safetensors, .keras, .weights.h5 with --arch).")
    var model: String

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("File to write (.onnx or .safetensors).", valueName: "FILE"))
    var output: String

    @Option(name: .long, help: "Tensor layout of a .safetensors output: keras or pytorch.")
    var layout: TensorLayout = .keras

    @OptionGroup var architecture: ArchitectureOptions

    func validate() throws {
        let lower = output.lowercased()
        guard lower.hasSuffix(".onnx") || lower.hasSuffix(".safetensors") else {
            throw ValidationError("the output must end in .onnx or .safetensors, got '\(output)'")
        }
        if lower.hasSuffix(".onnx"), layout != .keras {
            throw ValidationError("--layout applies to .safetensors outputs only")
        }
    }

    func run() throws {
        let imported = try ModelFiles.open(path: model, options: architecture.options(layout: nil))
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
