// TrainCommandTests: `convkit train`, `evaluate` and `predict` run as a process on a small MNIST subset.

import ConvkitTestSupport
import Foundation
import ImageIO
import Testing

@Suite struct TrainCommandTests {
    static let mnist = CLI.packageRoot + "/data/mnist"

    @Test func trainResumeEvaluateAndPredict() throws {
        guard requireMNIST() else { return }
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/digits.safetensors"
        let common = [
            "--train-limit", "600", "--test-limit", "300", "--batch-size", "64", "--data",
            Self.mnist,
        ]
        let first = try CLI.run(["train", "-o", model, "--epochs", "1"] + common)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.output.contains("Total params: 220,234"))
        #expect(first.output.contains("conv2d_1 (Conv2D)"))
        #expect(first.output.contains("Epoch 1/1"))
        #expect(first.output.contains("10/10 - "))
        #expect(FileManager.default.fileExists(atPath: model))
        #expect(FileManager.default.fileExists(atPath: folder + "/digits.checkpoint.safetensors"))

        let resumed = try CLI.run(["train", "-o", model, "--epochs", "2", "--resume"] + common)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.output.contains("Epoch 2/2") && !resumed.output.contains("Epoch 1/2"))
        let log = try String(contentsOfFile: folder + "/digits.log.csv", encoding: .utf8).split(
            separator: "\n")
        #expect(log.first == "epoch,loss,accuracy,test_loss,test_accuracy,seconds")
        #expect(log.dropFirst().map { $0.split(separator: ",").first } == ["1", "2"])

        let evaluation = try CLI.run([
            "evaluate", model, "--json", "--test-limit", "300", "--data", Self.mnist,
        ])
        #expect(evaluation.status == 0, "\(evaluation.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: evaluation.stdout) as? [String: Any])
        let confusion = try #require(object["confusion"] as? [[Int]])
        #expect(confusion.count == 10 && confusion.flatMap { $0 }.reduce(0, +) == 300)
        let accuracy = try #require(object["accuracy"] as? Double)
        #expect(accuracy > 0.7, "accuracy \(accuracy) after 2 epochs on 600 images")
        let text = try CLI.run(["evaluate", model, "--test-limit", "300", "--data", Self.mnist])
        #expect(text.output.contains("confusion matrix"))

        // The first test image (a 7) as a 28x28 PNG, and the same digit enlarged and inverted on a
        // larger canvas, which predict must centre and invert back.
        let test = try IDX.read(path: Self.mnist + "/t10k-images-idx3-ubyte.gz")
        let pixels = Array(try #require(test.uint8Values)[0..<784])
        try ImageFile.write(
            try Image(width: 28, height: 28, channels: 1, samples: .uint8(pixels)),
            to: folder + "/seven.png")
        var large = [UInt8](repeating: 255, count: 100 * 80)
        for y in 0..<56 {
            for x in 0..<56 { large[(y + 10) * 100 + x + 40] = 255 - pixels[(y / 2) * 28 + x / 2] }
        }
        try ImageFile.write(
            try Image(width: 100, height: 80, channels: 1, samples: .uint8(large)),
            to: folder + "/seven-large.png")
        let prediction = try CLI.run([
            "predict", model, folder + "/seven.png", folder + "/seven-large.png", "--json",
        ])
        #expect(prediction.status == 0, "\(prediction.stderr)")
        let records = try #require(
            try JSONSerialization.jsonObject(with: prediction.stdout) as? [[String: Any]])
        #expect(records.map { $0["class"] as? Int } == [7, 7])
    }

    /// The default data/mnist missing is a dataset to fetch; a --data folder that is missing is
    /// named as such (BadInputs.table), not as missing MNIST files.
    @Test func missingDatasetNamesTheFetchScript() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CLI.run(["train", "-o", "never.safetensors"], in: folder)
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("data/mnist/train-images-idx3-ubyte")
                && result.stderr.contains("scripts/fetch-datasets.sh"), "\(result.stderr)")
        let missing = try CLI.run(
            ["train", "-o", "never.safetensors", "--data", "/nonexistent/mnist"], in: folder)
        #expect(missing.status == 1)
        #expect(
            missing.stderr
                == "convkit: error: /nonexistent/mnist: no such folder (--data takes a folder)\n",
            "\(missing.stderr)")
    }

    @Test func badArchitectureAndOptionsAreRejected() throws {
        guard requireMNIST() else { return }
        let arch = try CLI.run([
            "train", "--arch", "conv2d:8:3x3,dense:4", "--data", Self.mnist, "--train-limit", "10",
        ])
        #expect(arch.status == 1)
        #expect(arch.stderr.hasPrefix("convkit: error: layers do not fit: dense"))
        let epochs = try CLI.run(["train", "--epochs", "0"])
        #expect(epochs.status == 2)
        #expect(epochs.stderr.contains("--epochs"))
    }

    @Test func corruptModelFileIsNamed() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/broken.safetensors"
        try Data([8, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0x7D]).write(to: URL(fileURLWithPath: path))
        let result = try CLI.run(["evaluate", path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("convkit: error: \(path): "))
    }

    @Test func nonFiniteLossStopsAndKeepsNoModel() throws {
        guard requireMNIST() else { return }
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/nan.safetensors"
        let result = try CLI.run([
            "train", "-o", model, "--learning-rate", "1e30", "--epochs", "3", "--train-limit",
            "512",
            "--test-limit", "10", "--data", Self.mnist,
        ])
        #expect(result.status == 1)
        // The message names the cause a user can change, not only the symptom.
        #expect(
            result.stderr.contains(
                "the loss diverged (inf or NaN) at epoch 1, step 2, most likely because the learning rate 1e+30 is too large: try a smaller --learning-rate; no model or checkpoint was written"
            ), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: model))
    }

    /// A class folder renamed between runs would swap the labels under the trained outputs:
    /// resume, evaluate, report and the figures of a test sample's true class refuse it,
    /// naming the first class that differs.
    @Test func renamedClassFoldersAreRefused() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writeImageFolder(
            folder + "/imgs",
            ["a/x.png": 1, "a/y.png": 1, "a/z.png": 1, "b/x.png": 1, "b/y.png": 1, "b/zz.png": 1])
        let data = ["--data", "imgs", "--validation-split", "0.5"]
        let train = try CLI.run(
            ["train", "-o", "m.safetensors", "--epochs", "1", "--arch", "flatten,dense:2"] + data,
            in: folder)
        #expect(train.status == 0, "\(train.stderr)")
        try FileManager.default.moveItem(atPath: folder + "/imgs/a", toPath: folder + "/imgs/c")
        let expected = "the model's class 0 is 'a', but imgs's is 'b'"
        let resume = try CLI.run(
            ["train", "-o", "m.safetensors", "--epochs", "2", "--resume"] + data, in: folder)
        #expect(resume.status == 1)
        #expect(
            resume.stderr.contains("m.checkpoint.safetensors: \(expected)"), "\(resume.stderr)")
        let commands = [
            ["evaluate", "m.safetensors"], ["report", "m.safetensors", "-o", "rep/"],
            ["visualize", "saliency", "m.safetensors", "--test-index", "0", "-o", "s.png"],
            ["visualize", "activations", "m.safetensors", "--test-index", "0", "-o", "act/"],
        ]
        for command in commands {
            let result = try CLI.run(command + data, in: folder)
            #expect(result.status == 1)
            #expect(result.stderr.contains("m.safetensors: \(expected)"), "\(result.stderr)")
        }
        for made in ["rep", "s.png", "act"] {
            #expect(!FileManager.default.fileExists(atPath: folder + "/" + made), "\(made)")
        }
        try FileManager.default.moveItem(atPath: folder + "/imgs/c", toPath: folder + "/imgs/a")
        #expect(try CLI.run(["evaluate", "m.safetensors"] + data, in: folder).status == 0)
    }
}
