// File: the entry point shared by the fuzz targets: libFuzzer's driver in a -DFUZZING build,
// a replay runner over files and folders otherwise.
//
// SwiftPM links every executable with `main` aliased to the module's entry point, so a fuzz
// target keeps its `@main` and hands control to libFuzzer from there. It also exports
// `LLVMFuzzerTestOneInput`, which libFuzzer's own `main` (also linked in) refers to.

import CLibFuzzer
import Foundation

/// What libFuzzer calls for each input: the bytes and their count; returns 0.
public typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// The shared driver of the fuzz targets.
public enum FuzzEntry {
    /// Runs `target` on the `size` bytes at `data`. A thrown error is a clean outcome; a trap or
    /// a sanitizer report is what the fuzzer looks for.
    public static func test(
        _ data: UnsafePointer<UInt8>?, _ size: Int, _ target: ([UInt8]) throws -> Void
    ) -> CInt {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        do { try target(bytes) } catch {}
        return 0
    }

    /// The result of `body`, which must not throw: a property the target checks (an encoded
    /// value reads back). A throw stops the process with `what` and the error, as a finding.
    public static func mustNotThrow<T>(_ what: String, _ body: () throws -> T) -> T {
        do { return try body() } catch { fatalError("\(what) threw: \(error)") }
    }

    /// Starts the target `name`. Built with `-DFUZZING` (and `-sanitize=fuzzer`), runs
    /// libFuzzer with `callback` and the process arguments. Otherwise replays every file given
    /// as an argument (folders are walked) through `target`, printing each outcome.
    public static func main(name: String, callback: FuzzCallback, target: ([UInt8]) throws -> Void)
        -> Never
    {
        #if FUZZING
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
        #else
            exit(
                replay(
                    name: name, arguments: Array(CommandLine.arguments.dropFirst()), target: target)
            )
        #endif
    }

    /// Runs `target` on each file named by `arguments`; returns the exit status.
    static func replay(name: String, arguments: [String], target: ([UInt8]) throws -> Void) -> Int32
    {
        if arguments.isEmpty || arguments.contains("-h") || arguments.contains("--help") {
            print(
                """
                Usage: fuzz-\(name) FILE|FOLDER...

                Runs each file (folders are searched recursively) through the \(name) fuzz target
                and prints 'ok' or the error it threw; a crash stops the run. Build with
                scripts/fuzz.sh to fuzz with libFuzzer instead.
                """)
            return arguments.isEmpty ? 2 : 0
        }
        var count = 0
        for path in arguments.flatMap(files) {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("\(path): cannot read")
                return 1
            }
            do {
                try target(Array(data))
                print("\(path): ok")
            } catch {
                print("\(path): threw: \(error)")
            }
            count += 1
        }
        print("\(count) input\(count == 1 ? "" : "s") replayed through \(name) without a crash")
        return 0
    }

    /// `path` if it is a file, or the files below it (sorted) if it is a folder.
    private static func files(_ path: String) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder),
            isFolder.boolValue
        else { return [path] }
        let entries =
            FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
        return entries.sorted().map { path + "/" + $0 }.filter {
            var isSubfolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &isSubfolder)
                && !isSubfolder.boolValue
        }
    }
}
