// ImportedModel: a runnable model read from any supported file, with where it came from.

import LearnedFilters

/// The model file formats convkit reads or writes.
package enum ModelFormat: String, Sendable, CaseIterable {
    /// convkit's own safetensors (weights in Keras layout, the architecture in the metadata).
    case convkit
    /// A safetensors state dict without convkit's metadata, in Keras layout (`--arch` needed).
    case kerasStateDict = "keras-state-dict"
    /// A PyTorch state dict saved as safetensors (`--arch` needed).
    case pytorchStateDict = "pytorch-state-dict"
    /// A Keras 3 `.keras` archive.
    case kerasArchive = "keras"
    /// A Keras 3 `.weights.h5` file (the architecture given apart).
    case kerasWeights = "keras-weights-h5"
    /// A legacy Keras HDF5 model (`model.save('model.h5')`): architecture and weights.
    case kerasLegacyH5 = "keras-h5"
    /// An ONNX model (written by `convkit export`; described, not run).
    case onnx

    /// How `info` names the format.
    package var title: String {
        switch self {
        case .convkit: "convkit model (safetensors)"
        case .kerasStateDict: "safetensors weights in Keras layout"
        case .pytorchStateDict: "PyTorch state dict (safetensors)"
        case .kerasArchive: "Keras 3 model (.keras)"
        case .kerasWeights: "Keras 3 weights (.weights.h5)"
        case .kerasLegacyH5: "Keras HDF5 model (.h5)"
        case .onnx: "ONNX model"
        }
    }
}

/// A model read from a file, with what the file held beside the weights.
package struct ImportedModel {
    /// One layer of the model as the file names it.
    package struct SourceLayer: Sendable {
        /// Its name and class in the file (`conv2d_3`, `Conv2D`).
        package var name: String
        package var className: String
        /// The convkit layer it became; nil when none was needed (an InputLayer, a linear
        /// activation, a final softmax).
        package var spec: LayerSpec?
    }

    /// The runnable model; its ``Model/classNames`` are the file's (or the caller's).
    package var model: Model
    package var format: ModelFormat
    /// The file's layers, when they differ from the model's own (Keras files).
    package var sourceLayers: [SourceLayer]
    /// What reading changed that a user should know (a final softmax left to the loss).
    package var notes: [String]
    /// The notes on which convkit's outputs differ from those of the framework that wrote the
    /// file; commands that report outputs print them.
    package var cautions: [String]
    /// The options given that this file makes meaningless, each as `--option does not apply:
    /// why` (an architecture for a file that holds its own, a layout for a file that is not a
    /// state dict); a command reading one model treats them as command-line mistakes.
    package var unusedOptions: [String] = []

    package init(
        model: Model, format: ModelFormat, sourceLayers: [SourceLayer], notes: [String],
        cautions: [String] = []
    ) {
        self.model = model
        self.format = format
        self.sourceLayers = sourceLayers
        self.notes = notes
        self.cautions = cautions
    }
}
