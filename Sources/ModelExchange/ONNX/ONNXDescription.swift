// ONNXDescription: what an ONNX file holds (opset, inputs, outputs, nodes, weights, class names).

import Foundation
import ONNXProtobuf
import SwiftProtobuf

/// A summary of an ONNX model file for `convkit info`.
package struct ONNXDescription: Sendable {
    package var irVersion: Int
    package var opset: Int
    package var producer: String
    /// Inputs and outputs with their shapes (`batch` for a symbolic axis).
    package var inputs: [(name: String, shape: [String])]
    package var outputs: [(name: String, shape: [String])]
    /// The nodes in order: name and operator.
    package var nodes: [(name: String, op: String)]
    /// Values in the initializers (the weights).
    package var parameterCount: Int
    package var metadata: [String: String]

    /// Decodes ONNX bytes; `path` names the file in errors.
    package init(bytes: [UInt8], path: String) throws {
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: bytes)
        } catch {
            throw ModelExchangeError.unreadable(
                path: path, detail: "not a readable ONNX model: \(error)")
        }
        guard model.hasGraph else {
            throw ModelExchangeError.unreadable(path: path, detail: "an ONNX model without a graph")
        }
        irVersion = Int(model.irVersion)
        opset = Int(
            model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }?.version ?? 0)
        producer =
            model.producerName + (model.producerVersion.isEmpty ? "" : " " + model.producerVersion)
        func describe(_ info: Onnx_ValueInfoProto) -> (name: String, shape: [String]) {
            (
                info.name,
                info.type.tensorType.shape.dim.map {
                    $0.dimParam.isEmpty ? String($0.dimValue) : $0.dimParam
                }
            )
        }
        inputs = model.graph.input.map(describe)
        outputs = model.graph.output.map(describe)
        nodes = model.graph.node.map { ($0.name, $0.opType) }
        var count = 0
        for tensor in model.graph.initializer {
            var size = 1
            for dim in tensor.dims {
                let (product, overflow) = size.multipliedReportingOverflow(
                    by: Int(clamping: max(dim, 0)))
                guard !overflow else {
                    throw ModelExchangeError.unreadable(
                        path: path, detail: "initializer '\(tensor.name)' has impossible dimensions"
                    )
                }
                size = product
            }
            let (sum, overflow) = count.addingReportingOverflow(size)
            guard !overflow else {
                throw ModelExchangeError.unreadable(
                    path: path, detail: "impossible initializer sizes")
            }
            count = sum
        }
        parameterCount = count
        metadata = Dictionary(
            model.metadataProps.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
    }

    /// The class names in the metadata, if any.
    package var classNames: [String]? {
        metadata["class_names"].map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
    }
}
