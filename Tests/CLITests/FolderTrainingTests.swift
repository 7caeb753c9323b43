// FolderTrainingTests: train and evaluate on a folder of class folders of images: data limits
// that keep every class, and classes without test images.

import ConvkitTestSupport
import Foundation
import LearnedFilters
import Testing

@Suite struct FolderTrainingTests {
    /// `imgs/train/` and `imgs/test/` under `folder`, three 4x4 grey images per class and part,
    /// each class one flat shade (so a linear model separates them once it has seen each).
    static func shades(in folder: String, _ classes: [(name: String, value: UInt8)]) throws {
        for (name, value) in classes {
            for part in ["train", "test"] {
                for index in 0..<3 {
                    try writeTestImage(
                        folder + "/imgs/\(part)/\(name)/\(index).png", channels: 1, value: value)
                }
            }
        }
    }

    static let twoShades: [(name: String, value: UInt8)] = [("dark", 40), ("light", 220)]
    static let threeShades: [(name: String, value: UInt8)] = [
        ("dark", 30), ("mid", 130), ("light", 230),
    ]

    /// A training limit below the first class's size trains on every class: trained on the
    /// first class alone, the model would call every test image that class (accuracy 0.5).
    @Test func aTrainingLimitTrainsOnEveryClass() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.shades(in: folder, Self.twoShades)
        let train = try CLI.run(
            [
                "train", "-o", "m.safetensors", "--data", "imgs", "--arch", "flatten,dense:2",
                "--epochs", "40", "--batch-size", "2", "--learning-rate", "0.05",
                "--train-limit", "2",
            ], in: folder)
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.output.contains("imgs: 2 training images and 6 test"), "\(train.output)")
        #expect(train.output.contains("test accuracy: 1.0000"), "\(train.output)")
    }

    /// A test limit takes images from every class: the confusion matrix has a row for each.
    @Test func aTestLimitTestsEveryClass() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.shades(in: folder, Self.twoShades)
        let train = try CLI.run(
            [
                "train", "-o", "m.safetensors", "--data", "imgs", "--arch", "flatten,dense:2",
                "--epochs", "1", "--test-limit", "2",
            ], in: folder)
        #expect(train.status == 0, "\(train.stderr)")
        let result = try CLI.run(
            ["evaluate", "m.safetensors", "--data", "imgs", "--test-limit", "4", "--json"],
            in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let confusion = try #require(object["confusion"] as? [[Int]])
        #expect(confusion.map { $0.reduce(0, +) } == [2, 2])
    }

    /// A class left without test images has no accuracy: said in words, null in JSON, never 0.
    @Test func aClassWithoutTestImagesHasNoAccuracy() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.shades(in: folder, Self.threeShades)
        let train = try CLI.run(
            [
                "train", "-o", "m.safetensors", "--data", "imgs", "--arch", "flatten,dense:3",
                "--epochs", "1",
            ], in: folder)
        #expect(train.status == 0, "\(train.stderr)")
        let arguments = ["evaluate", "m.safetensors", "--data", "imgs", "--test-limit", "2"]
        let text = try CLI.run(arguments, in: folder)
        #expect(text.status == 0, "\(text.stderr)")
        // Classes in sorted order: dark, light, mid; two images are one of dark and of light.
        #expect(text.output.contains("\n  2 mid: no test images\n"), "\(text.output)")
        let json = try CLI.run(arguments + ["--json"], in: folder)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        let accuracies = try #require(object["per_class_accuracy"] as? [Any])
        #expect(accuracies.count == 3)
        #expect(accuracies.prefix(2).allSatisfy { ($0 as? Double) != nil })
        #expect(accuracies.last is NSNull, "\(accuracies)")
    }

    /// --resume of a run on a folder takes the folder however it is written now, and the
    /// --validation-split left out from the checkpoint; another folder or split is refused,
    /// naming the option given.
    @Test func aResumeTakesTheFolderHoweverWrittenAndTheRecordedSplit() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (name, value) in Self.twoShades {
            for index in 0..<4 {
                try writeTestImage(
                    folder + "/imgs/\(name)/\(index).png", channels: 1, value: value)
                try writeTestImage(
                    folder + "/other/\(name)/\(index).png", channels: 1, value: value)
            }
        }
        let first = try CLI.run(
            [
                "train", "-o", "m.safetensors", "--data", "imgs", "--validation-split", "0.5",
                "--arch", "flatten,dense:2", "--epochs", "1", "--batch-size", "2",
            ], in: folder)
        #expect(first.status == 0, "\(first.stderr)")
        let spellings = ["imgs/", "./imgs", folder + "/imgs", "imgs"]
        for (index, spelling) in spellings.enumerated() {
            let epochs = String(index + 2)
            let resume = try CLI.run(
                [
                    "train", "-o", "m.safetensors", "--resume", "--epochs", epochs, "--data",
                    spelling,
                ],
                in: folder)
            #expect(resume.status == 0, "\(spelling): \(resume.stderr)")
            #expect(resume.output.contains("4 training images and 4 test"), "\(resume.output)")
            #expect(resume.output.contains("Epoch \(epochs)/\(epochs)"), "\(resume.output)")
        }
        let checkpoint = try SafeTensorsFile.read(path: folder + "/m.checkpoint.safetensors")
        #expect(checkpoint.metadata["dataset"] == "folder imgs --validation-split 0.5")
        let resume = ["train", "-o", "m.safetensors", "--resume", "--epochs", "9"]
        for (arguments, message) in [
            (
                ["--data", "imgs", "--validation-split", "0.25"],
                "m.checkpoint.safetensors: --validation-split is 0.25, but the checkpoint's run used 0.5"
            ),
            (
                ["--data", "other"],
                "m.checkpoint.safetensors: --data is other, but the checkpoint's run used the folder imgs"
            ),
        ] {
            let result = try CLI.run(resume + arguments, in: folder)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
