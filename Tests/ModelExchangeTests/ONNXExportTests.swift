// ONNXExportTests: the exported ONNX graph, decoded with the generated code, against the
// structure and the onnxruntime outputs that scripts/make-onnx-fixtures.py recorded.

import Foundation
import LearnedFilters
import ModelExchange
import ONNXProtobuf
import Testing

@Suite struct ONNXExportTests {
    static func expected(_ name: String) throws -> [String: Any] {
        let models = try #require(Fixtures.json("onnx/expected.json")["models"] as? [String: Any])
        return try #require(models[name] as? [String: Any])
    }

    @Test(arguments: ["tutorial", "layers"])
    func exportedGraphMatchesWhatOnnxruntimeRan(name: String) throws {
        let imported = try ModelFiles.open(path: Fixtures.path("keras/\(name).keras"))
        let model = imported.model
        model.classNames = (0..<10).map { "digit \($0)" }
        let proto = try Onnx_ModelProto(serializedBytes: try ONNXExport.bytes(model))
        let expected = try Self.expected(name)
        #expect(proto.opsetImport.map(\.version) == [17])
        #expect(proto.graph.node.map(\.opType) == (expected["ops"] as? [String]))
        #expect(proto.graph.input.map(\.name) == ["input"])
        #expect(
            proto.graph.input[0].type.tensorType.shape.dim.map(\.dimValue) == [0, 1, 28, 28])
        #expect(proto.graph.output.map(\.name) == ["logits"])
        #expect(proto.graph.node.last?.output == ["logits"])
        let classNames = proto.metadataProps.first { $0.key == "class_names" }?.value
        #expect(classNames == (0..<10).map { "digit \($0)" }.joined(separator: ","))
        // Every initializer is a float tensor whose raw bytes match its dimensions.
        var values = 0
        for tensor in proto.graph.initializer {
            let count = tensor.dims.reduce(1) { $0 * Int($1) }
            #expect(tensor.rawData.count == count * 4, "\(tensor.name)")
            values += count
        }
        // The graph holds every value the layers use, the biases a layer was built without
        // (as zeros) too, which the parameter count leaves out.
        let omitted = model.namedParameters.filter { model.omittedParameters.contains($0.name) }
            .reduce(0) { $0 + $1.parameter.value.count }
        #expect(values == model.parameterCount + omitted)
        let runtime = try #require(expected["logits"] as? [Double]).map(Float.init)
        #expect(errorOfRange(try logits(model, try Fixtures.mnistTest()), runtime) <= 1e-5)
    }

    @Test func convolutionWeightsAreOIHW() throws {
        let model = try ModelFiles.open(path: Fixtures.path("keras/tutorial.keras")).model
        let proto = try Onnx_ModelProto(serializedBytes: try ONNXExport.bytes(model))
        let shapes = Dictionary(
            uniqueKeysWithValues: proto.graph.initializer.map { ($0.name, $0.dims) })
        #expect(shapes["conv2d.weight"] == [32, 1, 3, 3])
        #expect(shapes["conv2d_1.weight"] == [64, 32, 3, 3])
        #expect(shapes["dense.kernel"] == [3136, 64])
        let conv = try #require(proto.graph.node.first { $0.opType == "Conv" })
        #expect(conv.attribute.first { $0.name == "pads" }?.ints == [1, 1, 1, 1])
        let transpose = try #require(proto.graph.node.first { $0.opType == "Transpose" })
        #expect(transpose.attribute.first?.ints == [0, 2, 3, 1])
    }

    @Test func descriptionReadsTheExport() throws {
        let model = try ModelFiles.open(path: Fixtures.path("keras/tutorial.keras")).model
        let description = try ONNXDescription(
            bytes: try ONNXExport.bytes(model), path: "model.onnx")
        #expect(description.opset == 17)
        #expect(description.parameterCount == 220_234)
        #expect(description.inputs.first?.shape == ["batch", "1", "28", "28"])
        #expect(throws: ModelExchangeError.self) {
            try ONNXDescription(bytes: [0x0A, 0xFF, 0xFF], path: "bad.onnx")
        }
    }
}
