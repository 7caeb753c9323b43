// FolderTrainingTests: train and evaluate on a folder of class folders of images: data limits
// that keep every class, and classes without test images.

import ConvkitTestSupport
import Foundation
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
}
