// ModelFile: saving and loading a model (and a training checkpoint) as safetensors.

import Foundation

/// Metadata keys of convkit model files.
///
/// `format` = `convkit-sequential`, `architecture` = the ``LayerSpec`` text form,
/// `input_shape` = `28,28,1`, `class_names` = comma-separated (optional). Checkpoints add
/// `epoch` (completed epochs), `adam_step`, `adam_form`, `learning_rate`, `seed`, `batch_size`
/// and tensors `optimizer.m.NAME` / `optimizer.v.NAME`.
public enum ModelMetadata {
    /// The `format` value every convkit model file carries.
    public static let format = "convkit-sequential"
}

extension Model {
    /// The model's weights and architecture as a safetensors file (`conv2d.kernel` [3,3,1,32], ...).
    public func safeTensors(extraMetadata: [String: String] = [:]) -> SafeTensorsFile {
        var metadata = extraMetadata
        metadata["format"] = ModelMetadata.format
        metadata["architecture"] = LayerSpec.text(architecture)
        metadata["input_shape"] = inputShape.map(String.init).joined(separator: ",")
        if let classNames { metadata["class_names"] = classNames.joined(separator: ",") }
        let tensors = namedParameters.map {
            (name: $0.name, tensor: Tensor(shape: $0.parameter.shape, values: $0.parameter.value))
        }
        return SafeTensorsFile(tensors: tensors, metadata: metadata)
    }

    /// Writes the model atomically to `path`.
    public func save(path: String, extraMetadata: [String: String] = [:]) throws {
        try safeTensors(extraMetadata: extraMetadata).write(to: path)
    }

    /// Loads a model written by ``save(path:extraMetadata:)`` (or a checkpoint).
    public static func load(path: String) throws -> Model {
        try load(file: SafeTensorsFile.read(path: path), path: path)
    }

    /// Builds the model described by a safetensors file; `path` names it in errors.
    public static func load(file: SafeTensorsFile, path: String) throws -> Model {
        func bad(_ detail: String) -> LearnedFiltersError { .badModel(path: path, detail: detail) }
        guard file.metadata["format"] == ModelMetadata.format,
            let text = file.metadata["architecture"],
            let shapeText = file.metadata["input_shape"]
        else {
            throw bad(
                "not a convkit model (metadata needs format=\(ModelMetadata.format), architecture and input_shape)"
            )
        }
        let inputShape = shapeText.split(separator: ",").compactMap { Int($0) }
        guard inputShape.count == shapeText.split(separator: ",").count,
            inputShape.allSatisfy({ $0 > 0 && $0 <= 1 << 14 })
        else {
            throw bad("invalid input_shape '\(shapeText)'")
        }
        // A model's weights are all in its file: a few bytes of metadata must not make the
        // layers allocate gigabytes before the tensors are found missing. Up to 2^20 weights
        // are built regardless, so a small model missing a tensor is told which one.
        let valuesInFile = file.tensors.reduce(0) { $0 + $1.tensor.values.count }
        let weightBudget = max(valuesInFile, 1 << 20)
        let model: Model
        do {
            model = try Model(
                architecture: LayerSpec.parse(text), inputShape: inputShape, seed: 0,
                weightBudget: weightBudget)
        } catch let error as LearnedFiltersError {
            throw bad("its architecture is invalid: \(error)")
        }
        for (name, parameter) in model.namedParameters {
            guard let tensor = file[name] else { throw bad("tensor '\(name)' is missing") }
            guard tensor.shape == parameter.shape else {
                throw bad("tensor '\(name)' has shape \(tensor.shape), expected \(parameter.shape)")
            }
            guard tensor.values.allSatisfy({ $0.isFinite }) else {
                throw bad("tensor '\(name)' holds NaN or infinite values")
            }
            parameter.value = tensor.values
        }
        if let names = file.metadata["class_names"] {
            let classNames = names.split(separator: ",", omittingEmptySubsequences: false).map(
                String.init)
            guard classNames.count == model.classes else {
                throw bad(
                    "class_names holds \(classNames.count) names for \(model.classes) classes")
            }
            model.classNames = classNames
        }
        return model
    }
}
