// BadInputTableTests: every row of BadInputs.table (a bad or unusual command line) exits with its
// status, says what is wrong in one line naming the file or option, and leaves no trace.

import ConvkitTestSupport
import Foundation
import ImageIO
import Testing

@Suite struct BadInputTableTests {
    /// One row of the table.
    struct Row: CustomStringConvertible {
        let line: Int
        let status: Int32
        let message: String
        let arguments: [String]
        let standardInput: String?

        var description: String { "BadInputs.table:\(line): \(arguments.joined(separator: " "))" }
    }

    static let tablePath = CLI.packageRoot + "/Tests/CLITests/BadInputs.table"

    /// The rows: `status | message | command line`, comments and blank lines skipped.
    static func rows() throws -> [Row] {
        let text = try String(contentsOfFile: tablePath, encoding: .utf8)
        var rows = [Row]()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
        {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.components(separatedBy: " | ")
            guard fields.count == 3, let status = Int32(fields[0]) else {
                throw TableError(
                    "BadInputs.table:\(index + 1): expected 'status | message | command'")
            }
            var words = split(fields[2])
            var input: String?
            if words.count >= 2, words[words.count - 2] == "<" {
                input = words.removeLast()
                words.removeLast()
            }
            rows.append(
                Row(
                    line: index + 1, status: status, message: fields[1],
                    arguments: words.map {
                        $0.replacingOccurrences(of: "$MNIST", with: VisualizeFixture.mnist)
                    }, standardInput: input))
        }
        return rows
    }

    /// Words separated by spaces; 'single quotes' group words.
    static func split(_ text: String) -> [String] {
        var words = [String]()
        var current = ""
        var quoted = false
        var started = false
        for character in text {
            if character == "'" {
                quoted.toggle()
                started = true
            } else if character == " " && !quoted {
                if started { words.append(current) }
                current = ""
                started = false
            } else {
                current.append(character)
                started = true
            }
        }
        if started { words.append(current) }
        return words
    }

    // Opens like ReadmeExamplesTests.everyExampleRuns on purpose: a table read, a count floor and
    // a scratch folder of inputs.
    @Test func everyRowFailsCleanly() throws {
        let rows = try Self.rows()
        #expect(rows.count >= 80)
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Scratch.make(in: folder)
        let before = try Scratch.snapshot(folder)
        for row in rows {
            let input = try row.standardInput.map {
                try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0))
            }
            let result = try CLI.run(row.arguments, input: input, in: folder)
            #expect(result.status == row.status, "\(row): \(result.stderr)")
            let lines = result.stderr.split(separator: "\n").map(String.init)
            let counts = lines.filter {
                $0.range(of: #"^convkit: \d+ of \d+ files? failed$"#, options: .regularExpression)
                    != nil
            }
            // A model's note (how convkit's outputs differ from its framework's) may come first.
            let said = lines.filter { !counts.contains($0) && !$0.hasPrefix("convkit: note: ") }
            #expect(said.count == 1, "\(row): \(result.stderr)")
            #expect(
                said.first?.contains(row.message) == true,
                "\(row): expected '\(row.message)', got \(result.stderr)")
            if row.status != 0 {
                #expect(said.first?.hasPrefix("convkit: error: ") == true, "\(row)")
            }
            let after = try Scratch.snapshot(folder)
            #expect(after == before, "\(row): files changed: \(Scratch.difference(before, after))")
        }
    }

    struct TableError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// The files the table's command lines use.
enum Scratch {
    static func make(in folder: String) throws {
        let manager = FileManager.default
        func write(_ name: String, _ bytes: [UInt8]) throws {
            try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + name))
        }
        for sample in ["ascent.png", "face.png"] {
            try manager.copyItem(
                atPath: CLI.packageRoot + "/samples/" + sample, toPath: folder + "/" + sample)
        }
        try manager.copyItem(
            atPath: CLI.packageRoot + "/samples/face.png", toPath: folder + "/existing.png")
        let ascent = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/ascent.png")))
        try write("truncated.png", Array(ascent.prefix(300)))
        try write("text.png", Array("hello, I am not an image\n".utf8))
        try write("empty.png", [])
        try write("noise.bin", [0x00, 0xFF, 0x13, 0x37, 0x80, 0x01, 0x02, 0x03, 0x04, 0x05])
        // Manifests edited by hand: counts no run writes, and sums past what a summary holds.
        // Each line is (input, pixels, seconds).
        func manifest(_ name: String, _ lines: [(String, String, String)]) throws {
            let text = lines.map {
                #"{"input":"\#($0.0)","status":"ok","pixels":\#($0.1),"seconds":\#($0.2)}"# + "\n"
            }
            try write(name, Array(text.joined().utf8))
        }
        try manifest("huge-pixels.jsonl", [("a", "9223372036854775807", "1"), ("b", "1", "1")])
        try manifest("huge-seconds.jsonl", [("a", "1", "1e308"), ("b", "1", "1e308")])
        try manifest("negative.jsonl", [("a", "4", "1"), ("b", "-4", "1")])
        let grid = (0..<20).map { Float($0) * 0.5 - 3 }
        try NPY.write(NPYArray(shape: [4, 5], values: .float32(grid)), to: folder + "/gx.npy")
        var huge = [Float](repeating: 0, count: 20)
        huge[0] = 3e38
        try NPY.write(NPYArray(shape: [4, 5], values: .float32(huge)), to: folder + "/huge.npy")
        var withNaN = grid
        withNaN[7] = .nan
        try NPY.write(NPYArray(shape: [4, 5], values: .float32(withNaN)), to: folder + "/nan.npy")
        var withInf = grid.map(Double.init)
        withInf[0] = .infinity
        try NPY.write(
            NPYArray(shape: [4, 5], values: .float64(withInf)), to: folder + "/inf64.npy")
        try NPY.write(
            NPYArray(shape: [4, 5, 6], values: .float32([Float](repeating: 1, count: 120))),
            to: folder + "/wide.npy")
        try NPY.write(
            NPYArray(shape: [30, 30], values: .uint8([UInt8](repeating: 200, count: 900))),
            to: folder + "/flat.npy")
        var nan28 = [Float](repeating: 0.5, count: 784)
        nan28[100] = .nan
        try NPY.write(
            NPYArray(shape: [28, 28], values: .float32(nan28)), to: folder + "/nan28.npy")
        try write(
            "int64.npy",
            npyBytes(descr: "<i8", shape: "(2, 2)", data: [UInt8](repeating: 1, count: 32)))
        try write(
            "bad.kernel", Array("# colour codes are not weights\n1 2\n3 \u{1B}[31mred\n".utf8))
        try write("scale.mat", Array("3 3 0\n1 2 1\n2 4 2\n1 2 1\n".utf8))
        try write("offset.mat", Array("3 1 1 128\n1 2 1\n".utf8))
        try write("tiny-scale.mat", Array("3 1 1e-320\n1 2 1\n".utf8))
        try write("tiny-divisor.kernel", Array("divisor: 1e-300\n0 0 0\n0 2 1\n".utf8))
        try write("huge-scale.mat", Array("3 1 1e400\n1 2 1\n".utf8))
        try write("huge-weight.mat", Array("3 1\n1 1e400 1\n".utf8))
        try write("tiny-weight.kernel", Array("1 1e-46\n0 1\n".utf8))
        try write("big-integer.mat", Array("2 1\n16777217 1\n".utf8))
        try manager.createDirectory(atPath: folder + "/out", withIntermediateDirectories: false)
        try manager.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: false)
        try write("sub/notes.txt", Array("no images here\n".utf8))
        try manager.createDirectory(atPath: folder + "/photos", withIntermediateDirectories: false)
        try write("photos/a.jpg", Array("a JPEG convkit does not read".utf8))
        try writeImageFolder(folder + "/imgs", ["a/x.png": 3, "a/y.png": 3, "b/z.png": 3])
        try writeImageFolder(folder + "/imgs-empty", ["a/x.png": 3, "b/": 0])
        try writeImageFolder(folder + "/imgs-text", ["a/x.png": 3, "b/notes.txt": 0])
        try writeImageFolder(folder + "/imgs-mixed", ["a/x.png": 3, "b/grey.png": 1])
        try writeImageFolder(folder + "/imgs-one", ["a/x.png": 3])
        try writeImageFolder(folder + "/imgs-ubyte", ["x-ubyte/a.png": 3, "y/b.png": 3])
        try writeImageFolder(folder + "/loose", ["a.png": 3, "b.png": 3])
        try writeImageFolder(folder + "/imgs-comma", ["a, b/x.png": 3, "c/y.png": 3])
        try writeImageFolder(
            folder + "/imgs-split",
            ["train/a/x.png": 3, "train/b/y.png": 3, "test/a/z.png": 3, "test/b/w.png": 3])
        try writeTestImage(folder + "/imgs-sizes/a/x.png")
        try writeTestImage(folder + "/imgs-sizes/b/big.png", width: 6, height: 5)
        let model = try VisualizeFixture.model.get()
        try manager.copyItem(atPath: model, toPath: folder + "/model.safetensors")
        try manager.copyItem(atPath: model, toPath: folder + "/run.safetensors")
        try manager.copyItem(
            atPath: model.replacingOccurrences(of: ".safetensors", with: ".checkpoint.safetensors"),
            toPath: folder + "/run.checkpoint.safetensors")
        // Keras weights with an architecture whose Dense applies an activation convkit lacks.
        let keras = CLI.packageRoot + "/Tests/ModelExchangeTests/Fixtures/keras/"
        for edge in ["overflow", "one-output", "bn-axis1"] {
            try manager.copyItem(
                atPath: keras + "edges/\(edge).keras", toPath: folder + "/\(edge).keras")
        }
        try manager.copyItem(
            atPath: keras + "tutorial.weights.h5", toPath: folder + "/tutorial.weights.h5")
        try manager.copyItem(atPath: keras + "tutorial.json", toPath: folder + "/tutorial.json")
        let json = try String(contentsOfFile: keras + "tutorial.json", encoding: .utf8)
        try write(
            "softplus.json",
            Array(
                json.replacingOccurrences(
                    of: "\"units\": 64, \"activation\": \"linear\"",
                    with: "\"units\": 64, \"activation\": \"softplus\""
                )
                .utf8))
    }

    /// A version 1.0 `.npy` file with any dtype.
    static func npyBytes(descr: String, shape: String, data: [UInt8]) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        header +=
            String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        let count = header.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(count & 0xFF), UInt8(count >> 8)]
            + Array(header.utf8) + data
    }

    /// Every path under `folder` with its permission bits and contents.
    static func snapshot(_ folder: String) throws -> [String: String] {
        var entries = [String: String]()
        let manager = FileManager.default
        guard let enumerator = manager.enumerator(atPath: folder) else { return entries }
        while let name = enumerator.nextObject() as? String {
            let path = folder + "/" + name
            let attributes = try manager.attributesOfItem(atPath: path)
            let mode = (attributes[.posixPermissions] as? Int).map { String($0, radix: 8) } ?? "?"
            if attributes[.type] as? FileAttributeType == .typeDirectory {
                entries[name] = "folder \(mode)"
            } else {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                entries[name] = "file \(mode) \(data.count) \(data.hashValue)"
            }
        }
        return entries
    }

    static func difference(_ before: [String: String], _ after: [String: String]) -> String {
        let keys = Set(before.keys).union(after.keys).sorted()
        return keys.filter { before[$0] != after[$0] }.map {
            "\($0): \(before[$0] ?? "absent") -> \(after[$0] ?? "absent")"
        }.joined(separator: "; ")
    }
}
