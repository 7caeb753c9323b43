// KerasModelReader: a convkit model from a Keras architecture and its HDF5 weights.

import LearnedFilters

/// Builds convkit models from Keras 3 files: the `.keras` archive, or a `.weights.h5` file with
/// its architecture given apart.
enum KerasModelReader {
    /// The model in a `.keras` file's bytes.
    static func model(archive bytes: [UInt8], path: String) throws -> ImportedModel {
        let archive = try KerasArchive(bytes: bytes, path: path)
        let architecture = try KerasConfig.architecture(
            json: archive.config, path: path + "/config.json")
        return try model(
            weights: archive.weights, architecture: architecture, path: path,
            weightsName: path + "/model.weights.h5", format: .kerasArchive)
    }

    /// The model of `architecture` with the weights of a `.weights.h5` file's bytes.
    static func model(
        weights bytes: [UInt8], architecture: KerasArchitecture, path: String,
        weightsName: String? = nil, format: ModelFormat = .kerasWeights
    ) throws -> ImportedModel {
        let name = weightsName ?? path
        let file = try HDF5File(bytes: bytes, name: name)
        func mismatch(_ detail: String) -> ModelExchangeError {
            .mismatch(path: name, detail: detail)
        }
        guard try file.kind("layers") == .group else {
            throw mismatch(
                "holds no Keras layer weights (no 'layers' group: not a Keras 3 .weights.h5 file)")
        }
        // Every dataset the layers need, with its shape, before any layer is built.
        var budget = 0
        for plan in architecture.layers {
            for index in plan.variables.indices {
                let location = "\(plan.weightGroup)/vars/\(index)"
                guard try file.kind(location) == .dataset else {
                    throw mismatch(
                        "no weights for layer '\(plan.name)' (\(plan.className)) at '\(location)'")
                }
                budget += try file.shape(location).reduce(1, *)
            }
        }
        let model: Model
        do {
            model = try Model(
                architecture: architecture.specs, inputShape: architecture.inputShape, seed: 0,
                weightBudget: max(budget, 1 << 20))
        } catch let error as LearnedFiltersError {
            throw ModelExchangeError.unsupported(path: path, detail: "\(error)")
        }
        let planned = architecture.layers.filter { $0.spec != nil }
        for (plan, layer) in zip(planned, model.layers) {
            for (index, variable) in plan.variables.enumerated() {
                let location = "\(plan.weightGroup)/vars/\(index)"
                guard
                    let parameter = layer.parameters.first(where: { $0.name == variable.rawValue })
                else { continue }
                let (shape, values) = try file.floats(location, limit: parameter.value.count)
                guard shape == parameter.shape else {
                    throw mismatch(
                        "layer '\(plan.name)' (\(plan.className)): '\(location)' has shape \(shape), expected \(parameter.shape)"
                    )
                }
                guard values.allSatisfy(\.isFinite) else {
                    throw mismatch("'\(location)' holds NaN or infinite values")
                }
                parameter.value = values
            }
            if try file.kind("\(plan.weightGroup)/vars") == .group {
                let stored = try file.children("\(plan.weightGroup)/vars").count
                guard stored == plan.variables.count else {
                    throw mismatch(
                        "layer '\(plan.name)' (\(plan.className)) has \(stored) weights in the file, expected \(plan.variables.count)"
                    )
                }
            }
        }
        return ImportedModel(
            model: model, format: format,
            sourceLayers: architecture.layers.map {
                .init(name: $0.name, className: $0.className, spec: $0.spec)
            },
            notes: architecture.notes, cautions: architecture.cautions)
    }
}
