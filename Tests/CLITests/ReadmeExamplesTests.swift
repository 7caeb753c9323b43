// ReadmeExamplesTests: every `convkit` line of the README's shell examples runs, in order, in a
// scratch folder holding files of the names it uses, so no example can drift from the tool.

import ConvkitTestSupport
import Foundation
import Testing

@Suite struct ReadmeExamplesTests {
    /// The `convkit ...` lines of the README's ```sh blocks, comments removed.
    static func examples() throws -> [String] {
        let text = try String(contentsOfFile: CLI.packageRoot + "/README.md", encoding: .utf8)
        var lines = [String]()
        var inShell = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inShell = line == "```sh"
                continue
            }
            guard inShell, line.hasPrefix("convkit ") || line == "convkit" else { continue }
            var command = String(line)
            if let comment = command.range(of: "  #") ?? command.range(of: " # ") {
                command = String(command[..<comment.lowerBound])
            }
            lines.append(command.trimmingCharacters(in: .whitespaces))
        }
        return lines
    }

    /// The adaptations that make an example runnable here: input names that exist in the scratch
    /// folder, and training and evaluation cut to a few hundred images.
    static func adapted(_ line: String, folder: String) -> (arguments: [String], pipe: Bool) {
        var text = line
        let pipe = text.contains(" | ")
        if let bar = text.range(of: " | ") { text = String(text[..<bar.lowerBound]) }
        text = text.replacingOccurrences(of: "[--json]", with: "--json")
        text = text.replacingOccurrences(of: "box:4096", with: "box:1024")
        text = text.replacingOccurrences(of: " ARCH ", with: " '\(stateDictArchitecture)' ")
        var words = BadInputTableTests.split(text.replacingOccurrences(of: "\"", with: "'"))
        words.removeFirst()  // convkit
        words = words.flatMap { word -> [String] in
            guard word.contains("*") else { return [word] }
            let base = (word as NSString).deletingLastPathComponent
            return folderNames(folder + "/" + base).filter { $0.hasSuffix(".png") }.map {
                base + "/" + $0
            }
        }
        // Examples on a folder of images keep it (makeInputs makes a small one).
        let mnist = words.contains("--data") ? [] : ["--data", VisualizeFixture.mnist]
        switch words.first {
        case "train":
            if let index = words.firstIndex(of: "--epochs") {
                words[index + 1] = words[index + 1] == "12" ? "2" : "1"
            } else {
                words += ["--epochs", "1"]
            }
            words += mnist + ["--train-limit", "300", "--test-limit", "100", "--batch-size", "50"]
        case "evaluate", "report":
            words += mnist + ["--test-limit", "100"]
        case "visualize" where words.contains("--test-index"):
            words += mnist
        default: break
        }
        return (words, pipe)
    }

    @Test func everyExampleRuns() throws {
        let examples = try Self.examples()
        #expect(examples.count >= 40)
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.makeInputs(in: folder)
        for example in examples {
            let (arguments, pipe) = Self.adapted(example, folder: folder)
            let result = try CLI.run(arguments, in: folder)
            #expect(result.status == 0, "README: \(example)\n\(result.stderr)")
            if pipe { #expect(!result.stdout.isEmpty, "README: \(example) wrote nothing") }
        }
        // What the examples promise they write.
        for name in [
            "face.npy", "grey16.png", "ascent-scharr.png", "gx.npy", "gx-soft.npy", "gx-soft.png",
            "blurred/ascent.png", "edges/a.npy", "edges/b.npy", "model.safetensors",
            "m.checkpoint.safetensors", "conv.gif", "conv.svg", "up.gif", "dilated.pdf",
            "frames", "diagrams/index.html", "conv1.png", "conv2.svg", "maps/conv1.png",
            "report/index.html", "model.onnx",
        ] {
            #expect(FileManager.default.fileExists(atPath: folder + "/" + name), "\(name)")
        }
    }

    /// The architecture of the state dict the README's examples read.
    static let stateDictArchitecture = "conv2d:32:3x3:same:relu,maxpool:2,flatten,dense:10"

    /// The files the README's examples name: samples under their names, Keras files from the
    /// model-exchange fixtures, and a PyTorch state dict of the architecture they give.
    static func makeInputs(in folder: String) throws {
        _ = try makeShapesDataset(in: folder, perClass: 20)
        let keras = CLI.packageRoot + "/Tests/ModelExchangeTests/Fixtures/keras/"
        for (source, target) in [
            ("tutorial.keras", "model.keras"), ("tutorial.weights.h5", "model.weights.h5"),
            ("tutorial.json", "model.json"), ("h5/keras2.h5", "model.h5"),
        ] {
            try FileManager.default.copyItem(atPath: keras + source, toPath: folder + "/" + target)
        }
        let trained = try CLI.run(
            [
                "train", "-o", "arch.safetensors", "--arch", stateDictArchitecture, "--epochs",
                "1", "--train-limit", "100", "--test-limit", "10", "--batch-size", "50",
                "--data", VisualizeFixture.mnist,
            ], in: folder)
        try #require(trained.status == 0, "\(trained.stderr)")
        let exported = try CLI.run(
            ["export", "arch.safetensors", "--layout", "pytorch", "-o", "state.safetensors"],
            in: folder)
        try #require(exported.status == 0, "\(exported.stderr)")
        let manager = FileManager.default
        let samples = CLI.packageRoot + "/samples/"
        for folderName in ["samples", "photos"] {
            try manager.createDirectory(
                atPath: folder + "/" + folderName, withIntermediateDirectories: true)
        }
        for (source, target) in [
            ("ascent.png", "samples/ascent.png"), ("face.png", "samples/face.png"),
            ("ascent.png", "in.png"), ("face.png", "big.png"), ("ascent.png", "a.png"),
            ("face.png", "b.png"), ("ascent.png", "photos/ascent.png"),
            ("face.png", "photos/face.png"),
        ] {
            try manager.copyItem(atPath: samples + source, toPath: folder + "/" + target)
        }
        let kernel = "# an asymmetric kernel\n1 2 0\n-1 3 1\n0 -2 1\n"
        try kernel.write(toFile: folder + "/K", atomically: true, encoding: .utf8)
        try kernel.write(toFile: folder + "/my.kernel", atomically: true, encoding: .utf8)
        let seven = try VisualizeFixture.seven(in: folder)
        try manager.moveItem(atPath: seven, toPath: folder + "/digit.png")
        try manager.createDirectory(atPath: folder + "/digits", withIntermediateDirectories: true)
        try manager.copyItem(atPath: folder + "/digit.png", toPath: folder + "/digits/seven.png")
    }
}
