// PipeInputTests: a FIFO or pipe named as an input (`convkit convert <(curl ...) x.npy`) is read
// once, whole, as standard input is; looking at its first bytes beforehand consumed them.

import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct PipeInputTests {
    /// Runs `arguments` with `fifo` fed `source`'s bytes by `cat`, as a shell's `<(cat SOURCE)`
    /// would, and kills convkit if it waits for more than a minute.
    static func run(
        _ arguments: [String], feeding fifo: String, from source: String, in folder: String
    )
        throws -> ChildExit
    {
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", "cat \"$0\" > \"$1\"", source, fifo]
        try writer.run()
        defer {
            if writer.isRunning { writer.terminate() }
            // A writer still waiting for a reader is let go by opening the FIFO once.
            let release = open(fifo, O_RDONLY | O_NONBLOCK)
            if release >= 0 { close(release) }
            writer.waitUntilExit()
        }
        return try ChildProcess.run(CLI.executable, arguments, scratch: folder, killAfter: 60)
    }

    @Test func aFIFOGivenAsInputIsReadOnce() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try BatchTree.make(in: folder, count: 1)
        let image = folder + "/img000.png"
        let fifo = folder + "/stream.png"
        #expect(mkfifo(fifo, 0o644) == 0)
        for (arguments, output, fromFile) in [
            (
                ["convert", fifo, folder + "/c.npy"], "/c.npy",
                ["convert", image, folder + "/c0.npy"]
            ),
            (
                ["filter", fifo, "--kernel", "box3", "-o", folder + "/f.png"], "/f.png",
                ["filter", image, "--kernel", "box3", "-o", folder + "/f0.png"]
            ),
        ] {
            let result = try Self.run(arguments, feeding: fifo, from: image, in: folder)
            #expect(result.signal == nil, "\(arguments[0]) waited for ever: \(result.description)")
            #expect(result.status == 0, "\(arguments[0]): \(result.description)")
            let reference = try CLI.run(fromFile)
            #expect(reference.status == 0)
            let expected = output.replacingOccurrences(of: ".", with: "0.")
            #expect(
                FileManager.default.contents(atPath: folder + output)
                    == FileManager.default.contents(atPath: folder + expected), "\(arguments[0])")
        }
        let info = try Self.run(["info", fifo], feeding: fifo, from: image, in: folder)
        #expect(info.status == 0, "\(info.description)")
        #expect(info.stdout.hasPrefix(fifo + ": "), "\(info.stdout)")
    }
}
