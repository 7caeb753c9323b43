// GreyInputWithoutChannelAxisTests: a model taking [h, w] (no channel axis, as Keras' beginner
// MLP, Flatten(input_shape=(28, 28))) takes grey images in predict, evaluate, report and
// visualize, exactly as the same network on [h, w, 1] does.

import ConvkitTestSupport
import Foundation
import ImageIO
import LearnedFilters
import Testing

@Suite struct GreyInputWithoutChannelAxisTests {
    /// The same dense network (same seed, so the same weights) saved taking [28, 28] as
    /// `hw.safetensors` and taking [28, 28, 1] as `hwc.safetensors` in `folder`.
    static func models(in folder: String) throws {
        let layers = try LayerSpec.parse("flatten,dense:2")
        let hw = try Model(architecture: layers, inputShape: [28, 28], seed: 5)
        let hwc = try Model(architecture: layers, inputShape: [28, 28, 1], seed: 5)
        #expect(
            hw.namedParameters.flatMap(\.parameter.value)
                == hwc.namedParameters.flatMap(\.parameter.value))
        try hw.save(path: folder + "/hw.safetensors")
        try hwc.save(path: folder + "/hwc.safetensors")
    }

    static func json(_ result: CLIResult) throws -> Any {
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONSerialization.jsonObject(with: result.stdout)
    }

    @Test func predictTakesGreyImagesAndArrays() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.models(in: folder)
        let ramp = (0..<784).map { (index: Int) -> UInt8 in
            let value: Int = (index * 37 + index / 28 * 11) % 256
            return UInt8(value)
        }
        try PNGEncoder.write(
            try Image(width: 28, height: 28, channels: 1, samples: .uint8(ramp)),
            to: folder + "/digit.png")
        try NPY.write(
            NPYArray(shape: [28, 28], values: .float32(ramp.map { Float($0) / 255 })),
            to: folder + "/digit.npy")
        let inputs = ["digit.png", "digit.npy"]
        let hw = try Self.json(
            try CLI.run(["predict", "hw.safetensors"] + inputs + ["--json"], in: folder))
        let hwc = try Self.json(
            try CLI.run(["predict", "hwc.safetensors"] + inputs + ["--json"], in: folder))
        let hwRecords = try #require(hw as? [[String: Any]])
        let hwcRecords = try #require(hwc as? [[String: Any]])
        #expect(hwRecords.count == 2)
        for (a, b) in zip(hwRecords, hwcRecords) {
            #expect(a["file"] as? String == b["file"] as? String)
            #expect(a["probabilities"] as? [Double] == b["probabilities"] as? [Double])
        }
    }

    /// A folder `imgs` in `folder` of two classes of flat grey 28x28 images, one in train/ and
    /// one in test/ each.
    static func images(in folder: String) throws {
        for (name, value) in [("dark", UInt8(40)), ("light", UInt8(220))] {
            for part in ["train", "test"] {
                try writeTestImage(
                    folder + "/imgs/\(part)/\(name)/0.png", width: 28, height: 28, channels: 1,
                    value: value)
            }
        }
    }

    @Test func evaluateTakesGreyImages() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.models(in: folder)
        try Self.images(in: folder)
        func evaluate(_ model: String) throws -> [String: Any] {
            let result = try CLI.run(
                ["evaluate", model, "--data", "imgs", "--json"], in: folder)
            var object = try #require(try Self.json(result) as? [String: Any])
            object["model"] = nil
            return object
        }
        let hw = try evaluate("hw.safetensors")
        let hwc = try evaluate("hwc.safetensors")
        #expect(hw["loss"] as? Double == hwc["loss"] as? Double)
        #expect(hw["confusion"] as? [[Int]] == hwc["confusion"] as? [[Int]])
        #expect(hw["samples"] as? Int == 2)
    }

    @Test func reportAndVisualizeTakeGreyImages() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.models(in: folder)
        try Self.images(in: folder)
        var confusion = [String]()
        for model in ["hw", "hwc"] {
            let report = try CLI.run(
                ["report", "\(model).safetensors", "--data", "imgs", "-o", "\(model)-report"],
                in: folder)
            #expect(report.status == 0, "\(report.stderr)")
            confusion.append(
                (try? String(
                    contentsOfFile: folder + "/\(model)-report/confusion.csv", encoding: .utf8))
                    ?? "")
            for command in [
                [
                    "activations", "\(model).safetensors", "--test-index", "1", "--data", "imgs",
                    "-o", "\(model)-maps/",
                ],
                [
                    "patterns", "\(model).safetensors", "--layer", "dense", "--class", "1", "-o",
                    "\(model).png",
                ],
            ] {
                let result = try CLI.run(
                    ["visualize"] + command, in: folder)
                #expect(result.status == 0, "\(command): \(result.stderr)")
            }
        }
        #expect(!confusion[0].isEmpty && confusion[0] == confusion[1])
        // Saliency maps need a convolution for Grad-CAM; the message says so, not that [28, 28]
        // is not an image.
        let saliency = try CLI.run(
            ["visualize", "saliency", "hw.safetensors", "--test-index", "0", "--data", "imgs"],
            in: folder)
        #expect(saliency.status == 1)
        #expect(
            saliency.stderr.contains("Grad-CAM needs a convolution layer"), "\(saliency.stderr)")
    }
}
