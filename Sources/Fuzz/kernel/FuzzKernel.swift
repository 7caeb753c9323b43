// File: fuzz target `kernel`: the kernel parsers. The first byte picks the form the rest is read
// as: a `--kernel` specification (inline matrices, families, names), `.kernel` text, a libvips
// `.mat` file or a `.npy` kernel file.

import Convolution
import Foundation
import FuzzSupport

func fuzzKernel(_ bytes: [UInt8]) throws {
    guard let form = bytes.first else { return }
    let body = Array(bytes.dropFirst())
    let kernels: [Kernel]
    switch form % 4 {
    case 0:
        let spec = String(decoding: body, as: UTF8.self)
        // A specification may name any file; only the parsers are under test here.
        guard !spec.contains("/") else { return }
        kernels = try KernelLibrary.resolve(spec)
    case 1:
        kernels = try KernelDefinition.parse(
            String(decoding: body, as: UTF8.self), name: "fuzz", path: "fuzz.kernel"
        ).kernels
    case 2:
        kernels = try resolveFile(body, extension: "mat")
    default:
        kernels = try resolveFile(body, extension: "npy")
    }
    for kernel in kernels {
        precondition(
            (1...4096).contains(kernel.rows) && (1...4096).contains(kernel.columns)
                && kernel.weights.count == kernel.rows * kernel.columns
                && kernel.weights.allSatisfy(\.isFinite),
            "kernel \(kernel.rows)x\(kernel.columns) with \(kernel.weights.count) weights is not a valid kernel"
        )
    }
}

/// Resolves `contents` saved as a kernel file with the given extension, the way `--kernel FILE` does.
func resolveFile(_ contents: [UInt8], extension: String) throws -> [Kernel] {
    let path = NSTemporaryDirectory() + "convkit-fuzz-kernel-\(getpid()).\(`extension`)"
    guard FileManager.default.createFile(atPath: path, contents: Data(contents)) else {
        fatalError("cannot write \(path)")
    }
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try KernelLibrary.resolve(path)
}

// The same two entry points in every fuzz target on purpose: libFuzzer and `@main` need them
// in the executable itself, so they cannot live in FuzzSupport.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.test(data, size, fuzzKernel)
}

@main enum KernelFuzzTarget {
    static func main() {
        FuzzEntry.main(name: "kernel", callback: testOneInput, target: fuzzKernel)
    }
}
