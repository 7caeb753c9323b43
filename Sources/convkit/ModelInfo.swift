// ModelInfo: what `convkit info` says about a model file (format, layers, shapes, parameters).

import Foundation
import ImageIO
import LearnedFilters
import ModelExchange

/// Descriptions of model files for `convkit info`, as a JSON-ready record and as text.
enum ModelInfo {
    /// Whether `path` is to be described as a model (by its extension or its first bytes).
    static func isModel(_ path: String) -> Bool {
        let lower = path.lowercased()
        if ModelFiles.extensions.contains(where: { lower.hasSuffix($0) }) { return true }
        guard FileAccess.isRegularFile(path), let magic = try? FileAccess.readPrefix(path, count: 9)
        else {
            return false
        }
        return magic.starts(with: [0x50, 0x4B, 0x03, 0x04])
            || magic.starts(with: [0x89, 0x48, 0x44, 0x46])
            || (magic.count == 9 && magic[8] == UInt8(ascii: "{"))
    }

    /// The record of the model file at `path`.
    static func describe(_ path: String, source: ModelSourceOptions) throws -> [String: Any] {
        let size = try FileAccess.fileSize(path)
        if path.lowercased().hasSuffix(".onnx") {
            let onnx = try ONNXDescription(bytes: FileAccess.readAll(path), path: path)
            var record: [String: Any] = [
                "file": path, "format": ModelFormat.onnx.rawValue, "file_size": size,
                "ir_version": onnx.irVersion, "opset": onnx.opset, "producer": onnx.producer,
                "inputs": onnx.inputs.map { ["name": $0.name, "shape": $0.shape] },
                "outputs": onnx.outputs.map { ["name": $0.name, "shape": $0.shape] },
                "nodes": onnx.nodes.map { ["name": $0.name, "op": $0.op] },
                "parameters": onnx.parameterCount,
            ]
            if let names = onnx.classNames { record["class_names"] = names }
            return record
        }
        let imported = try source.open(path)
        // info describes several files, to some of which an option may apply and not to others.
        for unused in imported.unusedOptions { printError("convkit: note: \(path): \(unused)") }
        let model = imported.model
        var record: [String: Any] = [
            "file": path, "format": imported.format.rawValue, "file_size": size,
            "input_shape": model.inputShape, "parameters": model.parameterCount,
            "architecture": LayerSpec.text(model.architecture),
            "layers": model.layers.map {
                var entry: [String: Any] = [
                    "name": $0.name, "class": $0.spec.className, "output_shape": $0.outputShape,
                    "parameters": model.parameterCount(of: $0),
                ]
                if let applied = activation(of: $0), applied != .linear {
                    entry["activation"] = applied.text
                }
                return entry
            },
        ]
        if let names = model.classNames { record["class_names"] = names }
        if !imported.sourceLayers.isEmpty {
            record["source_layers"] = imported.sourceLayers.map {
                ["name": $0.name, "class": $0.className, "becomes": $0.spec?.text ?? "nothing"]
            }
        }
        if !imported.notes.isEmpty { record["notes"] = imported.notes }
        return record
    }

    /// The activation a layer applies, if it has one.
    static func activation(of layer: any Layer) -> Activation? {
        switch layer {
        case let conv as Conv2D: conv.activation
        case let dense as Dense: dense.activation
        case let applied as ActivationLayer: applied.activation
        default: nil
        }
    }

    /// The record as text: a header line, then one line per layer (or node).
    static func text(_ record: [String: Any]) -> String {
        let path = record["file"] as? String ?? ""
        let format = ModelFormat(rawValue: record["format"] as? String ?? "")
        var lines = [
            "\(path): \(format?.title ?? "model"), \(record["parameters"] ?? 0) parameters, \(record["file_size"] ?? 0) bytes"
        ]
        if format == .onnx {
            lines.append(
                "  IR version \(record["ir_version"] ?? 0), opset \(record["opset"] ?? 0), producer \(record["producer"] ?? "")"
            )
            for key in ["inputs", "outputs"] {
                for value in record[key] as? [[String: Any]] ?? [] {
                    let shape = (value["shape"] as? [String] ?? []).joined(separator: "x")
                    lines.append("  \(key.dropLast()) \(value["name"] ?? ""): \(shape)")
                }
            }
            let ops = (record["nodes"] as? [[String: Any]] ?? []).map { $0["op"] as? String ?? "" }
            lines.append("  nodes: " + ops.joined(separator: ", "))
        } else {
            let shape = (record["input_shape"] as? [Int] ?? []).map(String.init).joined(
                separator: "x")
            lines.append("  input \(shape)")
            for layer in record["layers"] as? [[String: Any]] ?? [] {
                let output = (layer["output_shape"] as? [Int] ?? []).map(String.init).joined(
                    separator: "x")
                let activation = (layer["activation"] as? String).map { ", \($0)" } ?? ""
                lines.append(
                    "  \(layer["name"] ?? "") (\(layer["class"] ?? "")\(activation)) -> \(output), \(layer["parameters"] ?? 0) parameters"
                )
            }
            if let source = record["source_layers"] as? [[String: String]] {
                lines.append(
                    "  layers in the file: "
                        + source.map { "\($0["name"] ?? "") (\($0["class"] ?? ""))" }.joined(
                            separator: ", "))
            }
        }
        if let names = record["class_names"] as? [String] {
            lines.append("  classes: " + names.joined(separator: ", "))
        }
        for note in record["notes"] as? [String] ?? [] { lines.append("  note: \(note)") }
        return lines.joined(separator: "\n")
    }
}
