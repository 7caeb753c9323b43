// ModelFileCommandTests: the commands on Keras files and exports, through the built binary.

import ConvkitTestSupport
import Foundation
import ImageIO
import Testing

@Suite struct ModelFileCommandTests {
    static let keras = CLI.packageRoot + "/Tests/ModelExchangeTests/Fixtures/keras"

    @Test func evaluateGivesKerasAccuracy() throws {
        guard requireMNIST() else { return }
        let result = try CLI.run(["evaluate", Self.keras + "/tutorial.keras", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        #expect(object?["accuracy"] as? Double == 0.9801)
    }

    /// A final sigmoid: predict still classifies, and says on standard error that its
    /// probabilities are not the outputs Keras gives.
    @Test func predictNotesAFinalActivation() throws {
        let result = try CLI.run([
            "predict", Self.keras + "/edges/sigmoid.keras", "samples/ascent.png", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let records = try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]]
        #expect((records?.first?["probabilities"] as? [Double])?.count == 10)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(
            lines.first?.hasPrefix("convkit: note: \(Self.keras)/edges/sigmoid.keras: layer 'dense")
                == true,
            "\(result.stderr)")
        #expect(lines.first?.contains("ends in sigmoid") == true, "\(result.stderr)")
        let plain = try CLI.run(["predict", Self.keras + "/tutorial.keras", "samples/ascent.png"])
        #expect(plain.status == 0 && plain.stderr.isEmpty, "\(plain.stderr)")
    }

    /// A float array of the model's input shape is the input as it is: the same probabilities
    /// as the 8-bit image it was made from (a 28x28 image is read as value / 255).
    @Test func predictTakesAFloatArrayAsTheInput() throws {
        let folder = try temporaryFolder("float-input")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bytes: [UInt8] = (0..<784).map { (index: Int) -> UInt8 in
            UInt8((index * 37 + index / 28 * 11) % 256)
        }
        try NPY.write(
            try NPYArray(shape: [28, 28], values: .uint8(bytes)), to: folder + "/u8.npy")
        try NPY.write(
            try NPYArray(shape: [28, 28, 1], values: .float32(bytes.map { Float($0) / 255 })),
            to: folder + "/f32.npy")
        try NPY.write(
            try NPYArray(shape: [28, 28], values: .float64(bytes.map { Double(Float($0) / 255) })),
            to: folder + "/f64.npy")
        var outputs = [[Double]]()
        for name in ["u8", "f32", "f64"] {
            let result = try CLI.run([
                "predict", Self.keras + "/tutorial.keras", folder + "/\(name).npy", "--json",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let records = try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]]
            outputs.append(try #require(records?.first?["probabilities"] as? [Double]))
        }
        #expect(outputs[1] == outputs[0] && outputs[2] == outputs[0])
    }

    /// A folder gives its images sorted by name (through subfolders with --recursive), with
    /// the probabilities each file gives alone; images in other formats are named in a note.
    @Test func predictTakesFolders() throws {
        let folder = try temporaryFolder("predict-folder")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = Self.keras + "/tutorial.keras"
        try FileManager.default.createDirectory(
            atPath: folder + "/digits/sub", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: CLI.packageRoot + "/samples/ascent.png", toPath: folder + "/digits/b.png")
        let bytes: [UInt8] = (0..<784).map { (index: Int) -> UInt8 in
            UInt8((index * 29 + index / 28 * 7) % 256)
        }
        try NPY.write(
            try NPYArray(shape: [28, 28], values: .uint8(bytes)), to: folder + "/digits/a.npy")
        try NPY.write(
            try NPYArray(shape: [28, 28], values: .uint8(bytes.reversed())),
            to: folder + "/digits/sub/c.npy")
        #expect(
            FileManager.default.createFile(
                atPath: folder + "/digits/photo.jpg", contents: Data([1])))
        func records(_ arguments: [String]) throws -> [[String: Any]] {
            let result = try CLI.run(["predict", model] + arguments + ["--json"])
            #expect(result.status == 0, "\(result.stderr)")
            return try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]] ?? []
        }
        let top = try CLI.run(["predict", model, folder + "/digits"])
        #expect(
            top.stderr
                == "convkit: note: 1 image not PNG or NPY skipped: \(folder)/digits/photo.jpg; convkit reads PNG and NPY\n",
            "\(top.stderr)")
        let listed = try records([folder + "/digits", "--recursive"])
        let names = ["a.npy", "b.png", "sub/c.npy"].map { folder + "/digits/" + $0 }
        #expect(listed.map { $0["file"] as? String } == names)
        let alone = try records(names)
        #expect(
            listed.map { $0["probabilities"] as? [Double] }
                == alone.map { $0["probabilities"] as? [Double] })
        #expect(try records([folder + "/digits"]).count == 2)
        try FileManager.default.createDirectory(
            atPath: folder + "/empty", withIntermediateDirectories: true)
        let empty = try CLI.run(["predict", model, folder + "/empty"])
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("empty: no .png or .npy files found"), "\(empty.stderr)")
    }

    @Test func infoDescribesModelFiles() throws {
        let folder = try temporaryFolder("info")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let export = try CLI.run([
            "export", Self.keras + "/tutorial.keras", "-o", folder + "/m.onnx",
        ])
        #expect(export.status == 0, "\(export.stderr)")
        let info = try CLI.run([
            "info", Self.keras + "/layers.keras", folder + "/m.onnx",
            Self.keras + "/tutorial.weights.h5", "--arch", Self.keras + "/tutorial.json",
            "--class-names", "a,b,c,d,e,f,g,h,i,j",
        ])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.output.contains("layers.keras: Keras 3 model (.keras)"))
        #expect(info.output.contains("global_average_pooling2d (GlobalAveragePooling2D) -> 24"))
        #expect(info.output.contains("m.onnx: ONNX model, 220234 parameters"))
        #expect(info.output.contains("classes: a, b, c, d, e, f, g, h, i, j"))
    }

    @Test func badModelFilesGiveOneLine() throws {
        let folder = try temporaryFolder("bad")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let whole = try Data(contentsOf: URL(fileURLWithPath: Self.keras + "/tutorial.keras"))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: folder + "/cut.keras"))
        let cut = try CLI.run(["info", folder + "/cut.keras"])
        #expect(cut.status == 1)
        #expect(cut.stderr.hasPrefix("convkit: error: \(folder)/cut.keras: "))
        #expect(cut.stderr.split(separator: "\n").count == 1)
        let png = try CLI.run(["evaluate", "samples/ascent.png"])
        #expect(png.status == 1)
        #expect(
            png.stderr == "convkit: error: samples/ascent.png: is a PNG image, not a model file\n")
        let wrongExtension = try CLI.run([
            "export", Self.keras + "/tutorial.keras", "-o", folder + "/m.h5",
        ])
        #expect(wrongExtension.status == 2)
    }
}
