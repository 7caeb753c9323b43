// ModelFiles: opens any supported model file, telling the format from the file's first bytes.

import Foundation
import ImageIO
import LearnedFilters

/// What a model file alone may not say: the architecture of bare weights, the layout of a state
/// dict, the input shape, the class names.
package struct ModelOpenOptions: Sendable {
    /// The architecture for bare weights (a `.weights.h5` file or a state dict): convkit's text
    /// form (``LayerSpec``) or the path of a Keras JSON configuration (`model.to_json()`).
    package var architecture: String?
    /// The per-sample input shape for `architecture` in text form (default `28,28,1`).
    package var inputShape: [Int]?
    /// The tensor layout of a state dict; nil detects it from the tensor names.
    package var layout: TensorLayout?
    /// Class names to use when the file has none.
    package var classNames: [String]?

    package init(
        architecture: String? = nil, inputShape: [Int]? = nil, layout: TensorLayout? = nil,
        classNames: [String]? = nil
    ) {
        self.architecture = architecture
        self.inputShape = inputShape
        self.layout = layout
        self.classNames = classNames
    }
}

/// The tensor layouts of a state dict.
package enum TensorLayout: String, Sendable, CaseIterable {
    /// Keras and convkit: conv kernels `[kh, kw, cin, cout]`, dense `[in, out]`, (h, w, c) flatten.
    case keras
    /// PyTorch: conv weights `[cout, cin, kh, kw]`, linear `[out, in]`, (c, h, w) flatten.
    case pytorch
}

/// Opening model files of every supported format through one function.
package enum ModelFiles {
    /// The extensions of the model files convkit reads.
    package static let extensions = [".safetensors", ".keras", ".weights.h5", ".h5", ".onnx"]

    /// What the file's bytes are, from their first bytes (and `.onnx` by its extension, since
    /// protobuf has no signature).
    package static func format(of bytes: [UInt8], path: String, options: ModelOpenOptions)
        throws -> ModelFormat
    {
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04])
            || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06])
        {
            return .kerasArchive
        }
        if bytes.starts(with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return .kerasWeights
        }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            throw ModelExchangeError.unreadable(path: path, detail: "a PNG image, not a model file")
        }
        if bytes.count >= 9, bytes[8] == UInt8(ascii: "{") {
            let file = try SafeTensorsFile.decode(bytes, name: path)
            if file.metadata["format"] == ModelMetadata.format { return .convkit }
            switch options.layout ?? detectLayout(file) {
            case .keras: return .kerasStateDict
            case .pytorch: return .pytorchStateDict
            }
        }
        if path.lowercased().hasSuffix(".onnx") { return .onnx }
        throw ModelExchangeError.unreadable(
            path: path,
            detail: "not a model file convkit reads (safetensors, .keras, .weights.h5 or .onnx)")
    }

    /// PyTorch names parameters `weight` (`0.weight`, or `weight` alone in a bare module's state
    /// dict), Keras and convkit `kernel`.
    static func detectLayout(_ file: SafeTensorsFile) -> TensorLayout {
        file.tensors.contains { $0.name == "weight" || $0.name.hasSuffix(".weight") }
            ? .pytorch : .keras
    }

    /// Opens the model file at `path`, whatever its format.
    package static func open(path: String, options: ModelOpenOptions = ModelOpenOptions()) throws
        -> ImportedModel
    {
        try open(bytes: FileAccess.readAll(path), path: path, options: options)
    }

    /// Opens a model file's bytes; `path` names it in errors.
    package static func open(bytes: [UInt8], path: String, options: ModelOpenOptions) throws
        -> ImportedModel
    {
        var imported: ImportedModel
        var unused = [String]()
        func unusedShape(_ reason: String) {
            if options.architecture != nil { unused.append("--arch does not apply: \(reason)") }
            if options.inputShape != nil {
                unused.append("--input-shape does not apply: \(reason)")
            }
        }
        let format = try format(of: bytes, path: path, options: options)
        if options.layout != nil, format != .kerasStateDict, format != .pytorchStateDict {
            unused.append("--layout does not apply: the file is not a safetensors state dict")
        }
        switch format {
        case .convkit:
            let model = try Model.load(file: SafeTensorsFile.decode(bytes, name: path), path: path)
            imported = ImportedModel(model: model, format: .convkit, sourceLayers: [], notes: [])
            unusedShape("a convkit model file holds its architecture and input shape")
        case .kerasArchive:
            imported = try KerasModelReader.model(archive: bytes, path: path)
            unusedShape("a .keras file holds its architecture and input shape")
        case .kerasWeights, .kerasLegacyH5:
            let file = try HDF5File(bytes: bytes, name: path)
            if options.architecture == nil,
                let legacy = try KerasModelReader.legacyModel(file, path: path)
            {
                imported = legacy
            } else {
                imported = try KerasModelReader.model(
                    weights: file, architecture: kerasArchitecture(options, path: path),
                    path: path)
                if let json = options.architecture, json.lowercased().hasSuffix(".json"),
                    options.inputShape != nil
                {
                    unused.append(
                        "--input-shape does not apply: the Keras architecture file \(json) records the input shape"
                    )
                }
            }
        case .kerasStateDict, .pytorchStateDict:
            let file = try SafeTensorsFile.decode(bytes, name: path)
            let layout = options.layout ?? detectLayout(file)
            var options = options
            // A batchnorm in the user's --arch for PyTorch weights means nn.BatchNorm2d's default
            // epsilon; convkit's own export writes its epsilon whenever it is not Keras'.
            var batchNormEpsilon: Float = layout == .pytorch ? 1e-5 : 1e-3
            if options.architecture == nil, file.metadata["format"] == StateDict.pytorchFormat,
                let text = file.metadata["architecture"]
            {
                options.architecture = text
                options.inputShape = file.metadata["input_shape"].map {
                    $0.split(separator: ",").compactMap { Int($0) }
                }
                batchNormEpsilon = 1e-3
            }
            let (specs, shape) = try convkitArchitecture(
                options, path: path, batchNormEpsilon: batchNormEpsilon)
            let (model, notes, cautions) = try StateDict.model(
                file: file, architecture: specs, inputShape: shape, layout: layout, path: path)
            imported = ImportedModel(
                model: model, format: layout == .pytorch ? .pytorchStateDict : .kerasStateDict,
                sourceLayers: [], notes: notes, cautions: cautions)
        case .onnx:
            throw ModelExchangeError.unsupported(
                path: path,
                detail: "ONNX models are written and described by convkit ('convkit info'), not run"
            )
        }
        if imported.model.classNames != nil, options.classNames != nil {
            unused.append("--class-names does not apply: the file names the model's classes")
        }
        imported.unusedOptions = unused
        if imported.model.classNames == nil, let names = options.classNames {
            guard names.count == imported.model.classes else {
                throw ModelExchangeError.mismatch(
                    path: path,
                    detail: "\(names.count) class names given for \(imported.model.classes) classes"
                )
            }
            imported.model.classNames = names
        }
        return imported
    }

    /// The architecture of bare Keras weights: a Keras JSON file, or convkit's text form.
    static func kerasArchitecture(_ options: ModelOpenOptions, path: String) throws
        -> KerasArchitecture
    {
        if let architecture = options.architecture, architecture.lowercased().hasSuffix(".json") {
            return try KerasConfig.architecture(
                json: FileAccess.readAll(architecture), path: architecture)
        }
        let (specs, shape) = try convkitArchitecture(options, path: path)
        return KerasArchitecture.matching(specs, inputShape: shape)
    }

    /// The convkit architecture and input shape given in `options`; a `batchnorm` of the text
    /// form without `eps=` takes `batchNormEpsilon`.
    static func convkitArchitecture(
        _ options: ModelOpenOptions, path: String, batchNormEpsilon: Float = 1e-3
    ) throws -> ([LayerSpec], [Int]) {
        guard let text = options.architecture else {
            throw ModelExchangeError.mismatch(
                path: path,
                detail:
                    "holds weights without an architecture; give it with --arch (convkit's text form, or a Keras model.to_json() file)"
            )
        }
        if text.lowercased().hasSuffix(".json") {
            let keras = try KerasConfig.architecture(json: FileAccess.readAll(text), path: text)
            return (keras.specs, options.inputShape ?? keras.inputShape)
        }
        return (
            try LayerSpec.parse(text, batchNormEpsilon: batchNormEpsilon),
            options.inputShape ?? [28, 28, 1]
        )
    }
}
