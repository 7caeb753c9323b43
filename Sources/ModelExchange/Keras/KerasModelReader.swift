// KerasModelReader: a convkit model from a Keras architecture and its HDF5 weights.

import LearnedFilters

/// Builds convkit models from Keras files: the `.keras` archive, a `.weights.h5` file with its
/// architecture given apart, and the legacy HDF5 model (`model.save('model.h5')` in Keras 2,
/// tf.keras and Keras 3), which holds both.
enum KerasModelReader {
    /// Where a file keeps each layer's weights.
    enum WeightPlaces {
        /// Keras 3: `GROUP/vars/0`, `GROUP/vars/1`, ... under the layer's group.
        case keras3
        /// Legacy HDF5: `model_weights/LAYER/NAME`, for the names listed, in order, in the
        /// `weight_names` attribute of `model_weights/LAYER`.
        case legacy([String: [String]])

        /// The dataset of variable `index` of `plan`.
        func location(_ plan: KerasLayerPlan, _ index: Int) -> String {
            switch self {
            case .keras3: return "\(plan.weightGroup)/vars/\(index)"
            case .legacy(let names):
                let listed = names[plan.name] ?? []
                let name = index < listed.count ? listed[index] : "\(index)"
                return "model_weights/\(plan.name)/\(name)"
            }
        }

        /// How many variables the file holds for `plan`, when it says.
        func stored(_ plan: KerasLayerPlan, in file: HDF5File) throws -> Int? {
            switch self {
            case .keras3:
                guard try file.kind("\(plan.weightGroup)/vars") == .group else { return nil }
                return try file.children("\(plan.weightGroup)/vars").count
            case .legacy(let names): return names[plan.name]?.count
            }
        }
    }

    /// The model in a `.keras` file's bytes.
    static func model(archive bytes: [UInt8], path: String) throws -> ImportedModel {
        let archive = try KerasArchive(bytes: bytes, path: path)
        let architecture = try KerasConfig.architecture(
            json: archive.config, path: path + "/config.json")
        return try model(
            weights: HDF5File(bytes: archive.weights, name: path + "/model.weights.h5"),
            architecture: architecture, path: path, format: .kerasArchive)
    }

    /// The model in a legacy HDF5 file whose root has the `model_config` attribute (the
    /// architecture, as `model.to_json()` writes it), or nil for an HDF5 file without one.
    static func legacyModel(_ file: HDF5File, path: String) throws -> ImportedModel? {
        guard let config = try file.strings(attribute: "model_config", at: "/")?.first else {
            return nil
        }
        let architecture = try KerasConfig.architecture(
            json: Array(config.utf8), path: path + ": model_config")
        guard try file.kind("model_weights") == .group else {
            throw ModelExchangeError.mismatch(
                path: path, detail: "has a model_config but no 'model_weights' group")
        }
        var names = [String: [String]]()
        for plan in architecture.layers where !plan.variables.isEmpty {
            names[plan.name] =
                try file.strings(attribute: "weight_names", at: "model_weights/\(plan.name)") ?? []
        }
        return try model(
            weights: file, architecture: architecture, path: path, format: .kerasLegacyH5,
            places: .legacy(names))
    }

    /// The model of `architecture` with the weights in `file`, found at `places`.
    static func model(
        weights file: HDF5File, architecture: KerasArchitecture, path: String,
        format: ModelFormat = .kerasWeights, places: WeightPlaces = .keras3
    ) throws -> ImportedModel {
        let name = file.name
        func mismatch(_ detail: String) -> ModelExchangeError {
            .mismatch(path: name, detail: detail)
        }
        if case .keras3 = places, try file.kind("layers") != .group {
            throw mismatch(
                "holds no Keras layer weights (no 'layers' group: not a Keras 3 .weights.h5 file)")
        }
        var plans = architecture.layers
        if architecture.biasesMayBeAbsent {
            // A Conv2D or Dense built with use_bias=False holds its kernel alone; its bias is zero.
            for index in plans.indices where plans[index].variables == [.kernel, .bias] {
                if try places.stored(plans[index], in: file) == 1 {
                    plans[index].variables = [.kernel]
                }
            }
        }
        // Every dataset the layers need, with its shape, before any layer is built.
        var budget = 0
        for plan in plans {
            for index in plan.variables.indices {
                let location = places.location(plan, index)
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
        let planned = plans.filter { $0.spec != nil }
        for (plan, layer) in zip(planned, model.layers) {
            // What the file leaves out (use_bias=False, center or scale False) is not counted.
            for parameter in layer.parameters
            where !plan.variables.contains(where: { $0.rawValue == parameter.name }) {
                model.omittedParameters.insert("\(layer.name).\(parameter.name)")
            }
            for (index, variable) in plan.variables.enumerated() {
                let location = places.location(plan, index)
                guard
                    let parameter = layer.parameters.first(where: { $0.name == variable.rawValue })
                else { continue }
                // The shape is checked before reading, so a dataset larger than the layer's
                // parameter is named as a wrong shape like a smaller one.
                let shape = try file.shape(location)
                guard shape == parameter.shape else {
                    throw mismatch(
                        "layer '\(plan.name)' (\(plan.className)): '\(location)' has shape \(shape), expected \(parameter.shape)"
                    )
                }
                let (_, values) = try file.floats(location, limit: parameter.value.count)
                guard values.allSatisfy(\.isFinite) else {
                    throw mismatch("'\(location)' holds NaN or infinite values")
                }
                parameter.value = values
            }
            if let stored = try places.stored(plan, in: file), stored != plan.variables.count {
                throw mismatch(
                    "layer '\(plan.name)' (\(plan.className)) has \(stored) weights in the file, expected \(plan.variables.count)"
                )
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
