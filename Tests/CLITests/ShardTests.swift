// ShardTests: `--shard K/N` splits a batch so N runs cover every input exactly once, by the
// documented hash (FNV-1a 64 of the path, modulo N), and adding files moves no other file.

import Foundation
import Testing

@Suite struct ShardTests {
    /// FNV-1a 64 written out again from its definition, to hold convkit to the documented rule.
    static func fnv1a64(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    @Test func referenceHashMatchesPublishedValues() {
        // From the FNV reference test vectors (isthe.com/chongo/tech/comp/fnv).
        #expect(Self.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(Self.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(Self.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
    }

    /// Which shard of `count` wrote each output, running every shard of a batch.
    static func assignment(_ input: String, count: Int, in folder: String) throws -> [String: Int] {
        var owner = [String: Int]()
        for index in 0..<count {
            let out = "\(folder)/out-\(count)-\(index)"
            let result = try CLI.run([
                "filter", input, "--recursive", "--kernel", "box3", "-o", out + "/",
                "--shard", "\(index)/\(count)",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            for file in BatchTree.files(out) {
                #expect(
                    owner[file] == nil,
                    "\(file) written by shards \(owner[file] ?? -1) and \(index)")
                owner[file] = index
            }
            try? FileManager.default.removeItem(atPath: out)
        }
        return owner
    }

    @Test func shardsCoverEveryInputOnceAndSurviveAddedFiles() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = folder + "/in"
        let names = try BatchTree.make(in: input, count: 30, subfolders: ["", "a", "a/b"])
        for count in 1...7 {
            let owner = try Self.assignment(input, count: count, in: folder)
            #expect(owner.keys.sorted() == names.sorted(), "N=\(count)")
            for name in names {
                #expect(
                    owner[name] == Int(Self.fnv1a64(name) % UInt64(count)), "\(name) N=\(count)")
            }
            if count > 1 {
                #expect(Set(owner.values).count == count, "N=\(count): a shard got nothing")
            }
        }
        let before = try Self.assignment(input, count: 5, in: folder)
        let added = try BatchTree.make(
            in: input, count: 12, first: 30, subfolders: ["", "c"], seed: 2)
        let after = try Self.assignment(input, count: 5, in: folder)
        #expect(after.count == names.count + added.count)
        for name in names {
            #expect(after[name] == before[name], "\(name) moved")
        }
    }

    @Test func autoReadsSlurmAndKubernetes() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let names = try BatchTree.make(in: folder + "/in", count: 12)
        func outputs(_ shard: String, _ environment: [String: String]) throws -> [String] {
            let out = folder + "/out"
            try? FileManager.default.removeItem(atPath: out)
            let result = try CLI.run(
                [
                    "filter", folder + "/in", "--kernel", "box3", "-o", out + "/", "--shard", shard,
                ], environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            return BatchTree.files(out)
        }
        let expected = names.filter { Self.fnv1a64($0) % 3 == 1 }
        #expect(
            try outputs("auto", ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "3"])
                == expected)
        // --array=1-3: task ids count from SLURM_ARRAY_TASK_MIN.
        #expect(
            try outputs(
                "auto",
                [
                    "SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "1",
                    "SLURM_ARRAY_TASK_COUNT": "3",
                ]) == expected)
        #expect(try outputs("auto/3", ["JOB_COMPLETION_INDEX": "1"]) == expected)
        let kubernetes = try CLI.run(
            [
                "filter", folder + "/in", "--kernel", "box3", "-o", folder + "/k/", "--shard",
                "auto",
            ],
            environment: ["JOB_COMPLETION_INDEX": "1"])
        #expect(kubernetes.status == 2)
        #expect(kubernetes.stderr.contains("write --shard auto/N"))
        let outOfRange = try CLI.run(
            [
                "filter", folder + "/in", "--kernel", "box3", "-o", folder + "/k/", "--shard",
                "auto",
            ],
            environment: ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"])
        #expect(outOfRange.status == 2)
        #expect(outOfRange.stderr.contains("the shard index must be 0 to 3, got 4"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/k"))
    }
}
