// VisualizeCommandTests: `convkit visualize filters` and `visualize activations` run as a process on a
// model trained by `convkit train` on a small MNIST subset.

import ConvkitTestSupport
import Foundation
import ImageIO
import Testing

/// A tutorial model trained for one epoch on 300 MNIST images, with its training log, made once.
enum VisualizeFixture {
    static let mnist = CLI.packageRoot + "/data/mnist"

    /// Where the model is trained; removed when the test process exits.
    static let folder =
        NSTemporaryDirectory() + "convkit-vis-fixture-\(ProcessInfo.processInfo.processIdentifier)"

    static let model: Result<String, Error> = Result {
        guard FileManager.default.fileExists(atPath: mnist + "/train-images-idx3-ubyte.gz") else {
            throw CLIError("data/mnist is missing: run 'bash scripts/fetch-datasets.sh'")
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: VisualizeFixture.folder) }
        let path = folder + "/digits.safetensors"
        let run = try CLI.run([
            "train", "-o", path, "--epochs", "1", "--train-limit", "300", "--test-limit", "200",
            "--batch-size", "50", "--data", mnist,
        ])
        guard run.status == 0 else { throw CLIError("convkit train failed: \(run.stderr)") }
        return path
    }

    /// The first MNIST test image (a 7) as a 28x28 PNG in `folder`.
    static func seven(in folder: String) throws -> String {
        let test = try IDX.read(path: mnist + "/t10k-images-idx3-ubyte.gz")
        let pixels = Array(try #require(test.uint8Values)[0..<784])
        let path = folder + "/seven.png"
        try ImageFile.write(
            try Image(width: 28, height: 28, channels: 1, samples: .uint8(pixels)), to: path)
        return path
    }

    struct CLIError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

@Suite struct VisualizeCommandTests {
    @Test func filtersOfBothLayers() throws {
        let model = try VisualizeFixture.model.get()
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try CLI.run(["visualize", "filters", model, "-o", folder + "/conv1.png"])
        #expect(first.status == 0, "\(first.stderr)")
        // 32 tiles of 3x3 at 16 px a weight, 8 per row: 16 + 8*48 + 7*10 + 20 + 64 + 16 by 16 + 28 + 4*72 - 8 + 16.
        let conv1 = try ImageFile.read(path: folder + "/conv1.png")
        #expect(conv1.width == 570 && conv1.height == 340)
        #expect(first.output.contains("conv2d (conv1): 32 filters, 3x3"))

        let second = try CLI.run([
            "visualize", "filters", model, "--layer", "conv2", "-o", folder + "/conv2.png",
        ])
        #expect(second.status == 0, "\(second.stderr)")
        // 64 filters x 32 input channels of 12 px tiles, 2 px apart.
        let conv2 = try ImageFile.read(path: folder + "/conv2.png")
        #expect(
            conv2.width == 16 + 28 + 446 + 20 + 64 + 16 && conv2.height == 16 + 28 + 16 + 894 + 16)

        let reduced = try CLI.run([
            "visualize", "filters", model, "--layer", "conv2d_1", "--reduce", "norm", "--scale",
            "per-filter",
            "-o", folder + "/conv2-norm.svg",
        ])
        #expect(reduced.status == 0, "\(reduced.stderr)")
        let svg = try String(contentsOfFile: folder + "/conv2-norm.svg", encoding: .utf8)
        // One tile per filter again, 8 per row: 8 rows of 72 px.
        #expect(svg.contains("<svg") && svg.contains("height=\"628px\""))
    }

    @Test func filtersRefuseOtherLayersAndFormats() throws {
        let model = try VisualizeFixture.model.get()
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let dense = try CLI.run([
            "visualize", "filters", model, "--layer", "dense", "-o", folder + "/x.png",
        ])
        #expect(dense.status == 1)
        #expect(
            dense.stderr.hasSuffix(
                "dense is a dense layer, and only convolution layers have filters (conv2d (conv1), conv2d_1 (conv2))\n"
            ))
        let unknown = try CLI.run([
            "visualize", "filters", model, "--layer", "conv9", "-o", folder + "/x.png",
        ])
        #expect(unknown.status == 1 && unknown.stderr.contains("max_pooling2d (pool1)"))
        let format = try CLI.run(["visualize", "filters", model, "-o", folder + "/x.gif"])
        #expect(
            format.status == 2
                && format.stderr.contains("x.gif: unknown extension '.gif' for a figure"))
        try writeImageFolder(
            folder + "/imgs", ["a/x.png": 1, "a/y.png": 1, "b/x.png": 1, "b/y.png": 1])
        let trained = try CLI.run(
            [
                "train", "--data", "imgs", "--validation-split", "0.5", "--arch", "flatten,dense:2",
                "--epochs", "1", "-o",
                "dense.safetensors",
            ], in: folder)
        #expect(trained.status == 0, "\(trained.stderr)")
        let noConvolution = try CLI.run([
            "visualize", "filters", folder + "/dense.safetensors", "-o", folder + "/x.png",
        ])
        #expect(noConvolution.status == 1)
        #expect(
            noConvolution.stderr.hasSuffix(
                "dense.safetensors: the model has no convolution layer, so it has no filters\n"),
            "\(noConvolution.stderr)")
        let missing = try CLI.run(["visualize", "filters", folder + "/none.safetensors"])
        #expect(missing.status == 1 && missing.stderr.contains("none.safetensors"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.png"))
    }

    @Test func activationsOfEveryLayer() throws {
        let model = try VisualizeFixture.model.get()
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let seven = try VisualizeFixture.seven(in: folder)
        let run = try CLI.run(["visualize", "activations", model, seven, "-o", folder + "/maps"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.output.contains("conv2d (conv1): 28x28, 32 channels")
                && run.output.contains("max_pooling2d_1 (pool2): 7x7, 64 channels"))
        // 28x28 maps enlarged 2x and 7x7 maps 8x: 56 px tiles, 8 per row, under an 84 px input.
        let conv1 = try ImageFile.read(path: folder + "/maps/conv1.png")
        #expect(conv1.width == 620 && conv1.height == 16 + 28 + 84 + 14 + 12 + 4 * 78 - 8 + 16)
        let pool2 = try ImageFile.read(path: folder + "/maps/pool2.png")
        #expect(pool2.width == 620 && pool2.height == 16 + 28 + 84 + 14 + 12 + 8 * 78 - 8 + 16)
        for name in ["pool1", "conv2", "probabilities"] {
            #expect(
                FileManager.default.fileExists(atPath: folder + "/maps/\(name).png"), "\(name).png")
        }
        let predicted = try CLI.run(["predict", model, seven, "--json"])
        let records = try #require(
            try JSONSerialization.jsonObject(with: predicted.stdout) as? [[String: Any]])
        let label = try #require(records.first?["label"] as? String)
        #expect(run.output.contains("predicted \(label) (p = "))

        let fromTestSet = try CLI.run([
            "visualize", "activations", model, "--test-index", "0", "--data",
            VisualizeFixture.mnist,
            "-o", folder + "/maps3",
        ])
        #expect(fromTestSet.status == 0, "\(fromTestSet.stderr)")
        #expect(
            fromTestSet.output.contains("predicted \(label) (p = ")
                && fromTestSet.output.contains("true: 7"))
        let beyond = try CLI.run([
            "visualize", "activations", model, "--test-index", "10000", "--data",
            VisualizeFixture.mnist,
        ])
        #expect(beyond.status == 1 && beyond.stderr.contains("beyond the 10000 test images"))
        let both = try CLI.run(["visualize", "activations", model, seven, "--test-index", "3"])
        #expect(both.status == 2)

        let bad = try CLI.run([
            "visualize", "activations", model, folder + "/absent.png", "-o", folder + "/maps2",
        ])
        #expect(bad.status == 1 && bad.stderr.contains("absent.png"))
    }
}
