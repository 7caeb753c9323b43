// BatchLoadTests: `convkit filter` over 2,000 generated PNGs on every core writes every output
// correctly, and its peak memory stays near that of filtering a single file.
//
// Correct means equal to the result a plain loop in IntegerFilterCase computes for an exact
// integer kernel on integer images (not convkit's own output for some other run). Peak memory is
// ru_maxrss as GNU time reports it.

import Foundation
import ImageIO
import Testing

@Suite struct BatchLoadTests {
    static let fileCount = 2000
    /// Allowed growth of the batch's peak resident memory over a single file's.
    static let memoryAllowanceKilobytes = 64 * 1024

    @Test func twoThousandFilesAreAllCorrectWithFlatMemory() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cases = try IntegerFilterCase.generate(count: Self.fileCount, seed: 2000)
        let inputs = folder + "/in"
        try FileManager.default.createDirectory(atPath: inputs, withIntermediateDirectories: true)
        try IntegerFilterCase.writeInputs(cases, to: inputs)
        let largest = try #require(
            cases.max {
                $0.input.width * $0.input.height * $0.input.channels < $1.input.width
                    * $1.input.height * $1.input.channels
            })

        // Default threads: one file per core at a time.
        let (single, singlePeak) = try Self.runMeasuringPeak(
            ["filter", inputs + "/\(largest.name).png", "-o", folder + "/single.png"]
                + IntegerFilterCase.filterArguments, scratch: folder)
        try #require(single.status == 0, "\(single.description)")
        #expect(largest.matches(fileAt: folder + "/single.png"))
        let start = Date()
        let (batch, batchPeak) = try Self.runMeasuringPeak(
            ["filter", inputs, "-o", folder + "/out/"] + IntegerFilterCase.filterArguments,
            scratch: folder)
        let seconds = Date().timeIntervalSince(start)
        try #require(batch.status == 0, "\(batch.description)")
        #expect(batch.stderr.isEmpty, "\(batch.stderr)")

        let wrong = cases.filter { !$0.matches(fileAt: folder + "/out/\($0.name).png") }.map(\.name)
        #expect(
            wrong.isEmpty,
            "\(wrong.count) of \(Self.fileCount) outputs differ from the plain loop: \(wrong.prefix(10))"
        )
        #expect(folderNames(folder + "/out").count == Self.fileCount)
        print(
            "filter batch of \(Self.fileCount) PNGs (32..96 px, grey and RGB) in \(String(format: "%.1f", seconds)) s: peak RSS "
                + "\(batchPeak) KB against \(singlePeak) KB for one file (\(largest.input.width)x\(largest.input.height)x\(largest.input.channels)); "
                + "\(Self.fileCount - wrong.count) of \(Self.fileCount) outputs exact")
        #expect(
            batchPeak < singlePeak + Self.memoryAllowanceKilobytes,
            "peak RSS \(batchPeak) KB for the batch, \(singlePeak) KB for one file")
    }

    /// Two 4096x4096 grey PNGs filtered at once (one per core) must stay within `--memory`
    /// together: each alone fits the budget in memory (convkit estimates 256 MB, it takes about
    /// 185 MB), two at once do not (about 330 MB), so each must get a share of the budget.
    @Test func filesFilteredAtOnceShareTheMemoryBudget() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(
            atPath: folder + "/in", withIntermediateDirectories: true)
        let side = 4096
        let samples = (0..<(side * side)).map { UInt8(truncatingIfNeeded: $0 % side + $0 / side) }
        let image = try Image(width: side, height: side, channels: 1, samples: .uint8(samples))
        for name in ["a", "b"] { try ImageFile.write(image, to: folder + "/in/\(name).png") }
        let budgetMegabytes = 260
        let (result, peak) = try Self.runMeasuringPeak(
            [
                "filter", folder + "/in", "--kernel", "box3", "-o", folder + "/out/", "--memory",
                "\(budgetMegabytes)M",
            ], scratch: folder)
        #expect(result.status == 0, "\(result.description)")
        #expect(BatchTree.files(folder + "/out") == ["a.png", "b.png"])
        #expect(
            peak < budgetMegabytes * 1024,
            "peak RSS \(peak) KB for two files at once, over the --memory budget of \(budgetMegabytes) MB"
        )
    }

    /// Runs convkit under GNU time and returns how it ended and its peak resident memory in KB.
    /// time(1) forks and reaps convkit itself, so the figure is convkit's alone.
    static func runMeasuringPeak(_ arguments: [String], scratch: String) throws -> (ChildExit, Int)
    {
        let time = "/usr/bin/time"
        guard FileManager.default.isExecutableFile(atPath: time) else {
            throw Problem("\(time) is missing: install GNU time (apt-get install time)")
        }
        let report = scratch + "/peak-rss-\(UUID().uuidString)"
        let exit = try ChildProcess.run(
            time, ["-f", "%M", "-o", report, CLI.executable] + arguments, scratch: scratch)
        let text = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
        guard let kilobytes = text.split(separator: "\n").last.flatMap({ Int($0) }) else {
            throw Problem("\(time) reported no peak memory: \(text)")
        }
        return (exit, kilobytes)
    }

    /// The plain loop against a case worked by hand, which
    /// scipy.signal.correlate2d([[1,2,3],[4,5,6]], [[0,1,0],[0,0,2],[1,0,0]], mode='same') also gives.
    @Test func referenceLoopMatchesAWorkedExample() throws {
        let result = try IntegerFilterCase.correlated(
            [1, 2, 3, 4, 5, 6], width: 3, height: 2, channels: 1)
        #expect(result.samples == .uint8([4, 10, 5, 11, 14, 3]))
        let rgb = try IntegerFilterCase.correlated(
            [1, 2, 3, 4, 5, 6].flatMap { [$0, 10 * $0, 0] }, width: 3, height: 2, channels: 3)
        #expect(rgb.samples == .uint8([4, 10, 5, 11, 14, 3].flatMap { [$0, 10 * $0, 0] }))
    }
}
