// ShapesDatasetTests: `convkit train --data` on the coloured shapes that
// scripts/make-shapes-dataset.py makes, then evaluate, report and predict on the same folder.

import ConvkitTestSupport
import Foundation
import ImageIO
import Testing

@Suite struct ShapesDatasetTests {
    /// The stated accuracy: a short run (7 epochs on 720 images at 16x16, chance 1/3; 0.894
    /// here with 2 threads) reaches it on the 180 held-out images.
    static let statedAccuracy = 0.8

    @Test func trainsToTheStatedAccuracyAndReportsClassNamesAndColourFilters() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let shapes = try makeShapesDataset(in: folder, perClass: 300)
        let model = folder + "/shapes.safetensors"
        let data = ["--data", shapes, "--validation-split", "0.2", "--image-size", "16x16"]
        let train = try CLI.run(
            [
                "train", "-o", model, "--epochs", "7", "--batch-size", "16", "--learning-rate",
                "0.003", "--arch",
                "conv2d:32:3x3:same:relu,maxpool:2,conv2d:32:3x3:same:relu,maxpool:2,flatten,dense:3",
            ] + data)
        #expect(train.status == 0, "\(train.stderr)")
        #expect(
            train.output.contains(
                "720 training images and 180 test, 16x16 colour, 3 classes: circle, square, triangle"
            ), "\(train.output)")
        let accuracy = try #require(
            train.output.split(separator: "\n").last.flatMap {
                $0.components(separatedBy: "test accuracy: ").last.flatMap { Double($0) }
            })
        #expect(accuracy >= Self.statedAccuracy, "\(train.output)")

        let evaluate = try CLI.run(["evaluate", model, "--json"] + data)
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: evaluate.stdout) as? [String: Any])
        #expect(json["class_names"] as? [String] == ["circle", "square", "triangle"])
        #expect(json["samples"] as? Int == 180)
        #expect(abs((json["accuracy"] as? Double ?? 0) - accuracy) < 1e-4)

        let report = try CLI.run(["report", model, "-o", folder + "/report/"] + data)
        #expect(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOfFile: folder + "/report/index.html", encoding: .utf8)
        #expect(html.contains("learned kernels as colour"))
        let confusion = try String(
            contentsOfFile: folder + "/report/confusion.csv", encoding: .utf8)
        for name in ["circle", "square", "triangle"] { #expect(confusion.contains(name)) }
        #expect(try Self.greenishPixels(folder + "/report/filters.png") > 0)
        // A colour model gets the report's Grad-CAM and patterns too, and the visualize
        // commands that explain one input.
        for figure in ["gradcam.png", "patterns.png"] {
            #expect(html.contains(figure), "\(figure)")
            #expect(FileManager.default.fileExists(atPath: folder + "/report/" + figure))
        }
        let image = shapes + "/triangle/0000.png"
        for command in [
            ["visualize", "activations", model, image, "-o", folder + "/maps/"],
            ["visualize", "saliency", model, image, "-o", folder + "/why.png"],
            ["visualize", "patterns", model, "--steps", "5", "-o", folder + "/patterns.png"],
        ] {
            let result = try CLI.run(command)
            #expect(result.status == 0, "\(command): \(result.stderr)")
        }

        let predict = try CLI.run(["predict", model, shapes + "/triangle/0000.png"])
        #expect(predict.status == 0, "\(predict.stderr)")
        #expect(
            ["circle", "square", "triangle"].contains {
                predict.output.contains("0000.png: \($0) (p=")
            }, "\(predict.output)")
    }

    /// Pixels clearly greener than red and blue: in colour tiles, never on the blue-white-red
    /// map or grey.
    static func greenishPixels(_ path: String) throws -> Int {
        let image = try PNGDecoder.read(path: path).converted(toBitDepth: 8)
        guard case .uint8(let samples) = image.samples, image.channels >= 3 else { return 0 }
        var count = 0
        for start in stride(from: 0, to: samples.count, by: image.channels) {
            let red = Int(samples[start])
            let green = Int(samples[start + 1])
            let blue = Int(samples[start + 2])
            if green > red + 40, green > blue + 40 { count += 1 }
        }
        return count
    }
}
