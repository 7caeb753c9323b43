// BatchInputTests: `--files-from` (a file or standard input), `--recursive` mirroring the tree,
// and `--skip-existing` redoing only what a killed shard left missing.

import Foundation
import Testing

@Suite struct FilesFromTests {
    @Test func listsFromAFileAndStandardInput() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try BatchTree.make(in: folder + "/in", count: 4, subfolders: ["", "a"])
        // Relative paths start from the current folder; blank lines, CRLF endings and a
        // byte-order mark are fine.
        try Data("\u{FEFF}in/img000.png\r\n\n./in/a/img001.png\n".utf8).write(
            to: URL(fileURLWithPath: folder + "/list.txt"))
        let fromFile = try CLI.run(
            ["filter", "--files-from", "list.txt", "--kernel", "box3", "-o", "out/"], in: folder)
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(BatchTree.files(folder + "/out") == ["img000.png", "img001.png"])
        let fromStandardInput = try CLI.run(
            ["filter", "in/img002.png", "--files-from", "-", "--kernel", "box3", "-o", "std/"],
            input: Data("in/a/img003.png\n".utf8), in: folder)
        #expect(fromStandardInput.status == 0, "\(fromStandardInput.stderr)")
        #expect(BatchTree.files(folder + "/std") == ["img002.png", "img003.png"])
        // The listed files' outputs equal those of a one-file run.
        let single = try CLI.run(
            ["filter", "in/a/img003.png", "--kernel", "box3", "-o", "one.png"], in: folder)
        #expect(single.status == 0)
        #expect(
            FileManager.default.contents(atPath: folder + "/one.png")
                == FileManager.default.contents(atPath: folder + "/std/img003.png"))
    }

    /// `--null` reads names ended by NUL bytes, as `find -print0` writes them, so a name may
    /// hold a line break.
    @Test func nulEndedNamesMayHoldLineBreaks() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try BatchTree.make(in: folder + "/in", count: 2)
        try FileManager.default.moveItem(
            atPath: folder + "/in/img000.png", toPath: folder + "/in/two\nlines.png")
        let result = try CLI.run(
            ["filter", "--files-from", "-", "--null", "--kernel", "box3", "-o", "out/"],
            input: Data("in/two\nlines.png\0in/img001.png\0".utf8), in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(BatchTree.files(folder + "/out") == ["img001.png", "two\nlines.png"])
        let alone = try CLI.run(
            ["filter", "in/img001.png", "--null", "--kernel", "box3", "-o", "x.png"], in: folder)
        #expect(alone.status == 2)
        #expect(alone.stderr.contains("--null applies to --files-from LIST"))
    }

    @Test func aMissingListedFileFailsAloneAndAnEmptyListIsAMistake() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try BatchTree.make(in: folder, count: 1)
        let result = try CLI.run(
            ["filter", "--files-from", "-", "--kernel", "box3", "-o", "out/"],
            input: Data("img000.png\ngone.png\n".utf8), in: folder)
        #expect(result.status == 1)
        #expect(result.stderr.contains("gone.png"))
        #expect(BatchTree.files(folder + "/out") == ["img000.png"])
        let empty = try CLI.run(
            ["filter", "--files-from", "-", "--kernel", "box3", "-o", "none/"], input: Data(),
            in: folder)
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("--files-from -: names no files"))
    }
}

@Suite struct RecursiveTests {
    @Test func mirrorsTheTreeUnderTheOutputFolder() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let names = try BatchTree.make(
            in: folder + "/in", count: 9, subfolders: ["", "x", "x/y/z"])
        try Data("notes".utf8).write(to: URL(fileURLWithPath: folder + "/in/x/notes.txt"))
        try Data("not read".utf8).write(to: URL(fileURLWithPath: folder + "/in/x/photo.JPG"))
        // Hidden entries are skipped in silence: a macOS resource fork named like an image
        // (not a PNG at all), and a hidden folder's images.
        try Data("resource fork".utf8).write(to: URL(fileURLWithPath: folder + "/in/._a.png"))
        _ = try BatchTree.make(in: folder + "/in/.thumbnails", count: 2, subfolders: [""])
        let result = try CLI.run([
            "filter", folder + "/in/", "--recursive", "--kernel", "sobel-x", "-o",
            folder + "/out/",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        // The image convkit does not read is named on standard error; the text file is not.
        #expect(
            result.stderr
                == "convkit: note: 1 image not PNG or NPY skipped: \(folder)/in/x/photo.JPG; convkit reads PNG and NPY\n"
        )
        #expect(BatchTree.files(folder + "/out") == names.sorted())
        for name in names {
            let one = try CLI.run([
                "filter", folder + "/in/" + name, "--kernel", "sobel-x", "-o", folder + "/one.png",
            ])
            #expect(one.status == 0)
            #expect(
                FileManager.default.contents(atPath: folder + "/one.png")
                    == FileManager.default.contents(atPath: folder + "/out/" + name), "\(name)")
        }
        // Without --recursive only the top level is filtered.
        let flat = try CLI.run([
            "filter", folder + "/in", "--kernel", "box3", "-o", folder + "/flat/",
        ])
        #expect(flat.status == 0)
        #expect(BatchTree.files(folder + "/flat") == names.filter { !$0.contains("/") }.sorted())
    }
}

@Suite struct SkipExistingRestartTests {
    @Test func aRestartedShardRedoesOnlyWhatIsMissing() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try BatchTree.make(in: folder + "/in", count: 20, subfolders: ["", "s"])
        let arguments = [
            "filter", folder + "/in", "--recursive", "--kernel", "box3", "-o", folder + "/out/",
            "--shard", "1/2", "--manifest", folder + "/m.jsonl", "--skip-existing",
        ]
        #expect(try CLI.run(arguments).status == 0)
        let done = BatchTree.files(folder + "/out")
        #expect(done.count >= 3)
        // As if the shard had been killed before writing some outputs.
        let lost = Array(done.prefix(3))
        var kept = [String: (Data?, Date?)]()
        for name in done {
            if lost.contains(name) {
                try FileManager.default.removeItem(atPath: folder + "/out/" + name)
            } else {
                let path = folder + "/out/" + name
                kept[name] = (
                    FileManager.default.contents(atPath: path),
                    try FileManager.default.attributesOfItem(atPath: path)[.modificationDate]
                        as? Date
                )
            }
        }
        let firstLines = try BatchTree.manifest(folder + "/m.jsonl").count
        #expect(try CLI.run(arguments).status == 0)
        #expect(BatchTree.files(folder + "/out") == done)
        let records = try BatchTree.manifest(folder + "/m.jsonl")
        #expect(records.count == firstLines + lost.count)
        let redone = records.suffix(lost.count).compactMap { $0["output"] as? String }
        #expect(Set(redone) == Set(lost.map { folder + "/out/" + $0 }))
        for (name, before) in kept {
            let path = folder + "/out/" + name
            #expect(FileManager.default.contents(atPath: path) == before.0)
            #expect(
                try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
                    == before.1)
        }
    }
}
