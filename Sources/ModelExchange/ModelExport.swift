// ModelExport: writes a model in the format its output file's extension names.

import ImageIO
import LearnedFilters

/// Writing a model for other tools: `.onnx` (``ONNXExport``), `.safetensors` in convkit's own
/// form (Keras layout, loadable by convkit and numpy) or as a PyTorch state dict.
package enum ModelExport {
    /// What was written.
    package struct Result: Sendable {
        /// How the file is described (`ONNX opset 17`, `PyTorch state dict`).
        package var format: String
        /// For a PyTorch state dict: the Python source of the `nn.Sequential` it loads into.
        package var pytorchModule: String?
    }

    /// Writes `model` atomically to `path`; the extension chooses the format and `layout` the
    /// tensor layout of a `.safetensors` file.
    package static func write(_ model: Model, to path: String, layout: TensorLayout = .keras)
        throws -> Result
    {
        let lower = path.lowercased()
        if lower.hasSuffix(".onnx") {
            guard layout == .keras else {
                throw ModelExchangeError.cannotExport(
                    path: path, detail: "--layout applies to .safetensors files only")
            }
            let bytes: [UInt8]
            do {
                bytes = try ONNXExport.bytes(model)
            } catch let error as ModelExchangeError {
                guard case .cannotExport(_, let detail) = error else { throw error }
                throw ModelExchangeError.cannotExport(path: path, detail: detail)
            }
            try FileAccess.writeAtomically(bytes, to: path)
            return Result(format: "ONNX opset \(ONNXExport.opset)", pytorchModule: nil)
        }
        guard lower.hasSuffix(".safetensors") else {
            throw ModelExchangeError.cannotExport(
                path: path, detail: "unknown model format; use .onnx or .safetensors")
        }
        switch layout {
        case .keras:
            try model.save(path: path)
            return Result(format: "convkit model (safetensors, Keras layout)", pytorchModule: nil)
        case .pytorch:
            let (file, python) = try StateDict.pytorch(model, path: path)
            try file.write(to: path)
            return Result(format: "PyTorch state dict (safetensors)", pytorchModule: python)
        }
    }
}
