// ManifestTests: `--manifest` lines stay whole when several processes append at once, record
// what was done, and `convkit manifest summary` merges them.

import Foundation
import Testing

@Suite struct ManifestTests {
    @Test func concurrentProcessesNeverInterleaveLines() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Long folder names make lines of about 1 KB, so a torn write would show.
        let deep =
            folder
            + String(repeating: "/" + String(repeating: "long-folder-name-", count: 5), count: 4)
        let names = try BatchTree.make(in: deep, count: 25)
        let manifest = folder + "/all.jsonl"
        let writers = 6
        let processes = try (0..<writers).map { index in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLI.executable)
            process.arguments = [
                "filter", deep, "--kernel", "box3", "-o", "\(folder)/out\(index)/", "--manifest",
                manifest,
            ]
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        for process in processes {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        let records = try BatchTree.manifest(manifest)
        #expect(records.count == writers * names.count)
        var seen = Set<String>()
        for record in records {
            let output = try #require(record["output"] as? String)
            #expect(seen.insert(output).inserted, "\(output) listed twice")
            #expect(record["status"] as? String == "ok")
            #expect((record["input"] as? String)?.hasPrefix(deep + "/img") == true)
        }
        #expect(seen.count == writers * names.count)
    }

    @Test func recordsDescribeTheRun() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try BatchTree.make(in: folder + "/in", count: 2)
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: folder + "/in/broken.png"))
        let result = try CLI.run([
            "filter", folder + "/in", "--kernel", "gaussian:5,1", "--kernel", "box3",
            "--boundary", "wrap", "--stride", "2", "-o", folder + "/out/", "--manifest",
            folder + "/m.jsonl",
        ])
        #expect(result.status == 1)
        let records = try BatchTree.manifest(folder + "/m.jsonl")
        #expect(records.count == 3)
        let broken = try #require(
            records.first { ($0["input"] as? String)?.hasSuffix("broken.png") == true })
        #expect(broken["status"] as? String == "failed")
        #expect((broken["error"] as? String)?.contains("broken.png: is a text file") == true)
        let done = try #require(
            records.first { ($0["input"] as? String)?.hasSuffix("img000.png") == true })
        #expect(done["status"] as? String == "ok")
        #expect(done["output"] as? String == folder + "/out/img000.png")
        #expect(done["kernels"] as? [String] == ["gaussian:5,1", "box3"])
        let options = try #require(done["options"] as? [String: String])
        #expect(options["boundary"] == "wrap")
        #expect(options["stride"] == "2")
        #expect(options["mode"] == "same")
        let pixels = try #require(done["pixels"] as? Int)
        #expect((9...81).contains(pixels))
        #expect((done["seconds"] as? Double ?? -1) >= 0)
    }

    /// A manifest that cannot be appended to (here /dev/full, where every write fails with
    /// ENOSPC) stops the batch with one message: the files were not what failed, and each file
    /// done after it would be missing from the manifest for good.
    @Test func aManifestThatCannotBeWrittenStopsTheBatch() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try BatchTree.make(in: folder + "/in", count: 12)
        let result = try CLI.run([
            "filter", folder + "/in", "--kernel", "box3", "-o", folder + "/out/", "--manifest",
            "/dev/full",
        ])
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "convkit: error: /dev/full: cannot append to the manifest: No space left on device\n",
            "\(result.stderr)")
        #expect(BatchTree.files(folder + "/out").count < 12)
    }

    @Test func summaryMergesShardsFailuresAndDuplicates() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let names = try BatchTree.make(in: folder + "/in", count: 9)
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: folder + "/in/broken.png"))
        for index in 0..<2 {
            try CLI.run([
                "filter", folder + "/in", "--kernel", "box3", "-o", folder + "/out/", "--shard",
                "\(index)/2", "--manifest", "\(folder)/m\(index).jsonl",
            ])
        }
        // A rerun of one input without --skip-existing lists it twice.
        try CLI.run([
            "filter", folder + "/in/img003.png", "--kernel", "box3", "-o", folder + "/out/",
            "--manifest", folder + "/m1.jsonl",
        ])
        let result = try CLI.run([
            "manifest", "summary", folder + "/m0.jsonl", folder + "/m1.jsonl", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(
            try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        #expect(summary["manifests"] as? Int == 2)
        #expect(summary["lines"] as? Int == names.count + 2)
        #expect(summary["inputs"] as? Int == names.count + 1)
        #expect(summary["ok"] as? Int == names.count)
        #expect(summary["failed"] as? Int == 1)
        #expect(summary["duplicates"] as? Int == 1)
        let duplicated = try #require(summary["duplicated"] as? [[String: Any]])
        #expect(duplicated.first?["input"] as? String == folder + "/in/img003.png")
        let failures = try #require(summary["failures"] as? [[String: Any]])
        #expect(failures.first?["input"] as? String == folder + "/in/broken.png")
        let text = try CLI.run(["manifest", "summary", folder + "/m0.jsonl", folder + "/m1.jsonl"])
        #expect(
            text.output.contains(
                "inputs: \(names.count + 1) (ok \(names.count), failed 1, duplicates 1)"))
        #expect(text.output.contains("failed: \(folder)/in/broken.png: "))
        // A damaged line is named by file and line.
        try Data("{\"input\": 1}\n".utf8).write(to: URL(fileURLWithPath: folder + "/bad.jsonl"))
        let bad = try CLI.run(["manifest", "summary", folder + "/bad.jsonl"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("bad.jsonl: line 1 is not a convkit manifest record"))
    }

    /// A manifest edited on Windows (byte-order mark, CRLF, blank lines) reads as written; the
    /// text names 20 duplicates and counts the rest, which --json lists; a bad line is named.
    @Test func summaryReadsAnyLineEndingsAndCapsItsLists() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lines = (0..<50).map { index in
            #"{"finished":"2026-12-05T08:00:00Z","input":"in/\#(index % 25).png","kernels":["box3"],"#
                + #""options":{},"output":"out/\#(index % 25).png","pixels":4,"seconds":0.5,"status":"ok"}"#
        }
        let text = "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n\r\n"
        try text.write(toFile: folder + "/m.jsonl", atomically: true, encoding: .utf8)
        let summary = try CLI.run(["manifest", "summary", folder + "/m.jsonl"])
        #expect(summary.status == 0, "\(summary.stderr)")
        let output = summary.output.split(separator: "\n")
        #expect(output.first == "manifests: 1, lines: 50")
        #expect(output.contains("inputs: 25 (ok 25, failed 0, duplicates 25)"))
        #expect(output.filter { $0.hasPrefix("duplicate: in/") }.count == 20)
        #expect(output.last == "duplicate: ... and 5 more (--json lists them all)")
        let json = try CLI.run(["manifest", "summary", folder + "/m.jsonl", "--json"])
        let object = try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any]
        #expect((object?["duplicated"] as? [Any])?.count == 25)
        try (lines[0] + "\nnot json\n" + lines[1]).write(
            toFile: folder + "/bad.jsonl", atomically: true, encoding: .utf8)
        let bad = try CLI.run(["manifest", "summary", folder + "/bad.jsonl"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("bad.jsonl: line 2 is not a convkit manifest record"))
    }
}
