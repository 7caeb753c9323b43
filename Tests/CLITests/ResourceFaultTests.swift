// ResourceFaultTests: a full disk, folders the user may not read or write, and a PNG that claims
// 2^31 pixels each give one clear error line naming the file, a non-zero exit, and leave no
// partial output, no temporary file and every existing file as it was.
//
// The full disk is a tiny tmpfs mounted for the test (needs root; skipped otherwise). Permission
// bits do not stop root, so the permission tests run convkit as `nobody` through setpriv(1)
// rather than on a read-only mount: a folder the user may not write is the everyday case
// (EACCES), and it also covers unreadable inputs, which a read-only mount cannot.

import ConvkitSupport
import Foundation
import ImageIO
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite(.serialized) struct ResourceFaultTests {
    static let mnist = CLI.packageRoot + "/data/mnist"

    // MARK: full disk

    @Test(
        .enabled(
            if: SmallDisk.canMount,
            "mounting a tmpfs is not permitted here (needs root); the full-disk cases are skipped"))
    func filterAndConvertOntoAFullDiskChangeNothing() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let disk = try SmallDisk(kilobytes: 64)
        defer { disk.unmount() }
        // 300x300 RGB noise: about 200 KB as PNG, more than the whole disk; small ones may fit.
        let large = try Self.largeCase()
        let small = try IntegerFilterCase.generate(count: 3, seed: 11)
        try PNGEncoder.write(large.input, to: folder + "/big.png")
        let oldBytes = try IntegerFilterCase.previousOutput()

        let existing = disk.path + "/out.png"
        try oldBytes.write(to: URL(fileURLWithPath: existing))
        let single = try run(
            ["filter", folder + "/big.png", "-o", existing] + IntegerFilterCase.filterArguments,
            in: folder)
        expectOneError(single, "\(existing): cannot write: No space left on device")
        #expect(
            FileManager.default.contents(atPath: existing) == oldBytes,
            "the existing output changed")
        #expect(folderNames(disk.path) == ["out.png"])

        let converted = try run(["convert", folder + "/big.png", existing], in: folder)
        expectOneError(converted, "\(existing): cannot write: No space left on device")
        let npy = try run(["convert", folder + "/big.png", disk.path + "/big.npy"], in: folder)
        expectOneError(npy, "\(disk.path)/big.npy: cannot write: No space left on device")
        #expect(
            FileManager.default.contents(atPath: existing) == oldBytes,
            "the existing output changed")
        #expect(folderNames(disk.path) == ["out.png"])

        // A batch: large inputs cannot fit, small ones may, and whatever is there is whole.
        let inputs = folder + "/in"
        try FileManager.default.createDirectory(atPath: inputs, withIntermediateDirectories: true)
        let cases = [large] + small
        try IntegerFilterCase.writeInputs(cases, to: inputs)
        let output = disk.path + "/batch"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try oldBytes.write(to: URL(fileURLWithPath: output + "/\(large.name).png"))
        let batch = try run(
            ["filter", inputs, "-o", output] + IntegerFilterCase.filterArguments, in: folder)
        #expect(batch.status == 1, "\(batch.description)")
        let lines = batch.stderr.split(separator: "\n").map(String.init)
        let failures = lines.filter {
            $0.hasPrefix("convkit: error: \(output)/")
                && $0.hasSuffix(".png: cannot write: No space left on device")
        }
        #expect(
            lines.contains(
                "convkit: error: \(output)/\(large.name).png: cannot write: No space left on device"
            ), "\(lines)")
        #expect(
            lines == failures + ["convkit: \(failures.count) of \(cases.count) files failed"],
            "\(lines)")
        #expect(
            FileManager.default.contents(atPath: output + "/\(large.name).png") == oldBytes,
            "the existing output changed")
        for item in cases.dropFirst()
        where FileManager.default.fileExists(atPath: output + "/\(item.name).png") {
            #expect(
                item.matches(fileAt: output + "/\(item.name).png"), "\(item.name).png is not whole")
            #expect(
                !failures.contains { $0.contains("/\(item.name).png:") },
                "\(item.name).png reported failed but written")
        }
        #expect(folderNames(output).allSatisfy { !$0.hasPrefix(".") }, "\(folderNames(output))")
    }

    @Test(
        .enabled(
            if: SmallDisk.canMount,
            "mounting a tmpfs is not permitted here (needs root); the full-disk cases are skipped"))
    func trainOntoAFullDiskStopsWithTheLastGoodCheckpoint() throws {
        guard requireMNIST() else { return }
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The checkpoint of this network is 190 KB: none fits in 64 KB, one but not two in 300 KB.
        let training = [
            "--train-limit", "512", "--test-limit", "100", "--batch-size", "64", "--epochs", "2",
            "--threads", "2",
            "--arch", "conv2d:8:3x3:same:relu,maxpool:2,flatten,dropout:0.5,dense:10", "--data",
            Self.mnist,
        ]
        let tiny = try SmallDisk(kilobytes: 64)
        defer { tiny.unmount() }
        let nothing = try run(["train", "-o", tiny.path + "/m.safetensors"] + training, in: folder)
        expectOneError(
            nothing, "\(tiny.path)/m.checkpoint.safetensors: cannot write: No space left on device")
        #expect(folderNames(tiny.path).isEmpty, "\(folderNames(tiny.path))")

        let small = try SmallDisk(kilobytes: 300)
        defer { small.unmount() }
        let partial = try run(
            ["train", "-o", small.path + "/m.safetensors"] + training, in: folder)
        expectOneError(
            partial, "\(small.path)/m.checkpoint.safetensors: cannot write: No space left on device"
        )
        #expect(partial.stdout.contains("Epoch 2/2"))
        #expect(
            folderNames(small.path) == ["m.checkpoint.safetensors", "m.log.csv"],
            "\(folderNames(small.path))")
        let checkpoint = try CheckedSafeTensors(path: small.path + "/m.checkpoint.safetensors")
        #expect(checkpoint.metadata["epoch"] == "1")
        #expect(try checkedLogLines(path: small.path + "/m.log.csv").count == 2)
    }

    // The permission tests repeat their .enabled trait and scratch-folder opening on purpose:
    // each reads whole on its own.
    // MARK: permissions

    @Test(
        .enabled(
            if: AsNobody.available,
            "setpriv cannot run convkit as nobody here; the permission cases are skipped"))
    func foldersNobodyMayWriteOrReadGiveOneLineErrors() throws {
        let folder = try AsNobody.sharedFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cases = try IntegerFilterCase.generate(count: 3, seed: 5)
        let inputs = folder + "/in"
        try AsNobody.makeFolder(inputs, mode: 0o755)
        try IntegerFilterCase.writeInputs(cases, to: inputs)
        let locked = folder + "/locked"
        try AsNobody.makeFolder(locked, mode: 0o755)
        let oldBytes = try IntegerFilterCase.previousOutput()
        try oldBytes.write(to: URL(fileURLWithPath: locked + "/image0000.png"))

        let single = try AsNobody.run(
            ["filter", inputs + "/image0001.png", "-o", locked + "/out.png"]
                + IntegerFilterCase.filterArguments, in: folder)
        expectOneError(single, "\(locked)/out.png: cannot write: Permission denied")
        let converted = try AsNobody.run(
            ["convert", inputs + "/image0001.png", locked + "/out.npy"], in: folder)
        expectOneError(converted, "\(locked)/out.npy: cannot write: Permission denied")

        let batch = try AsNobody.run(
            ["filter", inputs, "-o", locked] + IntegerFilterCase.filterArguments, in: folder)
        #expect(batch.status == 1, "\(batch.description)")
        let expectedLines =
            cases.map {
                "convkit: error: \(locked)/\($0.name).png: cannot write: Permission denied"
            } + ["convkit: 3 of 3 files failed"]
        #expect(
            Set(batch.stderr.split(separator: "\n").map(String.init)) == Set(expectedLines),
            "\(batch.stderr)")
        #expect(batch.stderr.split(separator: "\n").last == "convkit: 3 of 3 files failed")
        let newFolder = try AsNobody.run(
            ["filter", inputs, "-o", locked + "/new/"] + IntegerFilterCase.filterArguments,
            in: folder)
        expectOneError(
            newFolder, "\(locked)/new: cannot create the output folder: Permission denied")
        #expect(folderNames(locked) == ["image0000.png"])
        #expect(FileManager.default.contents(atPath: locked + "/image0000.png") == oldBytes)

        let hidden = folder + "/hidden"
        try AsNobody.makeFolder(hidden, mode: 0o700)
        try IntegerFilterCase.writeInputs(cases, to: hidden)
        let unreadableFolder = try AsNobody.run(
            ["filter", hidden, "-o", folder + "/out/"] + IntegerFilterCase.filterArguments,
            in: folder)
        expectOneError(unreadableFolder, "\(hidden): cannot read: Permission denied")
        let secret = inputs + "/secret.png"
        try FileManager.default.copyItem(atPath: inputs + "/image0000.png", toPath: secret)
        chmod(secret, 0o600)
        let open = folder + "/open"
        try AsNobody.makeFolder(open, mode: 0o777)
        let unreadableFile = try AsNobody.run(
            ["filter", secret, "-o", open + "/secret.png"] + IntegerFilterCase.filterArguments,
            in: folder)
        expectOneError(unreadableFile, "\(secret): cannot read: Permission denied")
        #expect(folderNames(open).isEmpty)
        #expect(
            !FileManager.default.fileExists(atPath: folder + "/out"),
            "an output folder was made for a batch that could not start")
    }

    @Test(
        .enabled(
            if: AsNobody.available,
            "setpriv cannot run convkit as nobody here; the permission cases are skipped"))
    func aFolderNobodyMayWriteButNotListStillTakesOutputs() throws {
        let folder = try AsNobody.sharedFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cases = try IntegerFilterCase.generate(count: 3, seed: 6)
        try AsNobody.makeFolder(folder + "/in", mode: 0o755)
        try IntegerFilterCase.writeInputs(cases, to: folder + "/in")
        let dropBox = folder + "/dropbox"
        try AsNobody.makeFolder(dropBox, mode: 0o733)
        let result = try AsNobody.run(
            ["filter", folder + "/in", "-o", dropBox] + IntegerFilterCase.filterArguments,
            in: folder)
        #expect(result.status == 0, "\(result.description)")
        #expect(cases.allSatisfy { $0.matches(fileAt: dropBox + "/\($0.name).png") })
        #expect(folderNames(dropBox) == cases.map { $0.name + ".png" })
    }

    @Test(
        .enabled(
            if: AsNobody.available,
            "setpriv cannot run convkit as nobody here; the permission cases are skipped"))
    func anUnreadableSubfolderFailsAloneInARecursiveBatch() throws {
        let folder = try AsNobody.sharedFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cases = try IntegerFilterCase.generate(count: 4, seed: 7)
        for (index, sub) in ["in", "in/a", "in/closed", "in/z"].enumerated() {
            try AsNobody.makeFolder(folder + "/" + sub, mode: 0o755)
            try IntegerFilterCase.writeInputs([cases[index]], to: folder + "/" + sub)
        }
        chmod(folder + "/in/closed", 0o700)
        let open = folder + "/open"
        try AsNobody.makeFolder(open, mode: 0o777)
        let result = try AsNobody.run(
            [
                "filter", folder + "/in", "--recursive", "-o", open + "/out/", "--manifest",
                open + "/m.jsonl",
            ] + IntegerFilterCase.filterArguments, in: folder)
        #expect(result.status == 1, "\(result.description)")
        #expect(
            result.stderr.split(separator: "\n").map(String.init) == [
                "convkit: error: \(folder)/in/closed: cannot read: Permission denied",
                "convkit: 1 of 4 files failed",
            ], "\(result.stderr)")
        for (index, sub) in ["", "a/", "z/"].enumerated() {
            let expected = cases[[0, 1, 3][index]]
            #expect(expected.matches(fileAt: open + "/out/" + sub + expected.name + ".png"))
        }
        let failed = try BatchTree.manifest(open + "/m.jsonl").filter {
            $0["status"] as? String == "failed"
        }
        #expect(failed.map { $0["input"] as? String } == [folder + "/in/closed"])
    }

    @Test(
        .enabled(
            if: AsNobody.available,
            "setpriv cannot run convkit as nobody here; the permission cases are skipped"))
    func trainRefusesAFolderItCannotWriteBeforeTraining() throws {
        let folder = try AsNobody.sharedFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let locked = folder + "/locked"
        try AsNobody.makeFolder(locked, mode: 0o755)
        let result = try AsNobody.run(
            ["train", "-o", locked + "/m.safetensors", "--data", Self.mnist, "--epochs", "1"],
            in: folder)
        expectOneError(result, "\(locked)/m.safetensors: cannot write: Permission denied")
        #expect(!result.stdout.contains("Epoch"), "it trained before finding out")
        #expect(folderNames(locked).isEmpty)
    }

    // MARK: a header that claims 2^31 pixels

    @Test func pngsClaimingBillionsOfPixelsAreRefusedByName() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let inputs = folder + "/in"
        try FileManager.default.createDirectory(atPath: inputs, withIntermediateDirectories: true)
        let cases = try IntegerFilterCase.generate(count: 2, seed: 9)
        try IntegerFilterCase.writeInputs(cases, to: inputs)
        // 65536 x 32768 grey = 2^31 pixels; 65536 x 65536 RGBA 16-bit = 2^32 pixels, 32 GiB.
        let grey = inputs + "/huge-grey.png"
        let rgba = inputs + "/huge-rgba.png"
        try Data(HugePNG.bytes(width: 65536, height: 32768, bitDepth: 8, colorType: 0)).write(
            to: URL(fileURLWithPath: grey))
        try Data(HugePNG.bytes(width: 65536, height: 65536, bitDepth: 16, colorType: 6)).write(
            to: URL(fileURLWithPath: rgba))
        let refusal =
            "image too large: 65536x32768 is 2147483648 pixels, more than the limit of 268435456 (raise it with --max-pixels)"

        let output = folder + "/out"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let oldBytes = try IntegerFilterCase.previousOutput()
        try oldBytes.write(to: URL(fileURLWithPath: output + "/huge-grey.png"))
        let single = try run(
            ["filter", grey, "-o", output + "/huge-grey.png"] + IntegerFilterCase.filterArguments,
            in: folder)
        // `filter` and `convert` stream an image over --max-pixels instead of decoding it whole;
        // the streamed reader refuses the file before reading any rows, since its bytes cannot
        // hold them.
        let truncated = { (size: String) in
            "truncated: the header claims \(size) pixels, more than its 72 bytes can hold"
        }
        expectOneError(single, "\(grey): \(truncated("65536x32768"))")
        for target in ["x.png", "x.npy"] {
            let converted = try run(["convert", grey, output + "/" + target], in: folder)
            expectOneError(converted, "\(grey): \(truncated("65536x32768"))")
        }
        // Decoded whole (an interlaced output), the image is refused by its size.
        let interlaced = try run(
            ["convert", grey, output + "/x.png", "--interlace"], in: folder)
        expectOneError(interlaced, "\(grey): \(refusal)")
        #expect(folderNames(output) == ["huge-grey.png"])
        #expect(FileManager.default.contents(atPath: output + "/huge-grey.png") == oldBytes)

        let batch = try run(
            ["filter", inputs, "-o", output] + IntegerFilterCase.filterArguments, in: folder)
        #expect(batch.status == 1, "\(batch.description)")
        #expect(
            Set(batch.stderr.split(separator: "\n").map(String.init)) == [
                "convkit: error: \(grey): \(truncated("65536x32768"))",
                "convkit: error: \(rgba): \(truncated("65536x65536"))",
                "convkit: 2 of 4 files failed",
            ], "\(batch.stderr)")
        #expect(folderNames(output) == ["huge-grey.png", "image0000.png", "image0001.png"])
        #expect(FileManager.default.contents(atPath: output + "/huge-grey.png") == oldBytes)
        #expect(cases.allSatisfy { $0.matches(fileAt: output + "/\($0.name).png") })
    }

    // MARK: helpers

    /// Runs convkit as root from `folder`.
    private func run(_ arguments: [String], in folder: String) throws -> ChildExit {
        try ChildProcess.run(CLI.executable, arguments, scratch: folder)
    }

    /// Expects exit status 1 and exactly one line on standard error: `convkit: error: MESSAGE`.
    private func expectOneError(
        _ result: ChildExit, _ message: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(result.status == 1, "\(result.description)", sourceLocation: sourceLocation)
        #expect(result.stderr == "convkit: error: \(message)\n", sourceLocation: sourceLocation)
    }

    /// A 300x300 RGB image of samples 0...63 (noise, so its PNG does not compress much).
    static func largeCase() throws -> IntegerFilterCase {
        var random = SeededGenerator(seed: 12)
        let samples = (0..<(300 * 300 * 3)).map { _ in UInt8.random(in: 0...63, using: &random) }
        let input = try Image(width: 300, height: 300, channels: 3, samples: .uint8(samples))
        return IntegerFilterCase(
            name: "large", input: input,
            expected: try IntegerFilterCase.correlated(
                samples, width: 300, height: 300, channels: 3))
    }
}

/// A tmpfs of a given size, mounted on a fresh folder for one test.
struct SmallDisk {
    let path: String

    /// Whether this process may mount a tmpfs (it tries once).
    static let canMount: Bool = {
        guard let disk = try? SmallDisk(kilobytes: 16) else { return false }
        disk.unmount()
        return true
    }()

    init(kilobytes: Int) throws {
        path = NSTemporaryDirectory() + "convkit-disk-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(kilobytes)k") == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: path)
            throw Problem("cannot mount a tmpfs on \(path): \(reason)")
        }
    }

    func unmount() {
        umount(path)
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Runs convkit as the unprivileged user `nobody` (uid and gid 65534) through setpriv(1).
enum AsNobody {
    static let setpriv = "/usr/bin/setpriv"

    /// Whether setpriv exists and `nobody` can run the built convkit.
    static let available: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: setpriv),
            let folder = try? sharedFolder()
        else { return false }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return (try? run(["--version"], in: folder))?.status == 0
    }()

    static func run(_ arguments: [String], in folder: String) throws -> ChildExit {
        try ChildProcess.run(
            setpriv,
            ["--reuid=65534", "--regid=65534", "--clear-groups", CLI.executable] + arguments,
            scratch: folder)
    }

    /// A fresh folder (owned by root) that nobody may enter and read but not write.
    static func sharedFolder() throws -> String {
        let folder = try CLI.temporaryFolder()
        chmod(folder, 0o755)
        return folder
    }

    /// Makes `folder`, owned by root, with `mode`.
    static func makeFolder(_ folder: String, mode: mode_t) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        chmod(folder, mode)
    }
}

/// A PNG that is nothing but a header claiming a huge image, an IDAT with a few bytes and IEND.
enum HugePNG {
    static func bytes(width: UInt32, height: UInt32, bitDepth: UInt8, colorType: UInt8) -> [UInt8] {
        var header = [UInt8]()
        for value in [width, height] { header += withUnsafeBytes(of: value.bigEndian, Array.init) }
        header += [bitDepth, colorType, 0, 0, 0]
        // A zlib stream with one stored block of four zero bytes.
        let data: [UInt8] = [
            0x78, 0x01, 0x01, 0x04, 0x00, 0xFB, 0xFF, 0, 0, 0, 0, 0x00, 0x04, 0x00, 0x01,
        ]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header)
            + chunk("IDAT", data) + chunk("IEND", [])
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return withUnsafeBytes(of: UInt32(data.count).bigEndian, Array.init) + body
            + withUnsafeBytes(of: crc32(body).bigEndian, Array.init)
    }

    /// CRC-32 as PNG defines it (polynomial 0xEDB88320, bit by bit).
    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
