// File: replays the corpus of the kernel fuzz target (Tests/Fuzz/kernel/: seeds and the
// reproducers of fixed crashes in regressions/) through the same calls as Sources/Fuzz/kernel:
// the first byte picks the form (0 a --kernel specification, 1 .kernel text, 2 a .mat file,
// 3 a .npy file); every input must give valid kernels or throw a KernelError.

import ConvkitTestSupport
import Convolution
import Foundation
import Testing

@Suite struct KernelFuzzRegressionTests {
    /// The kernels of one corpus input, read as the fuzz target reads it; nil for a
    /// specification naming a path, which the target skips.
    private func kernels(_ bytes: [UInt8]) throws -> [Kernel]? {
        guard let form = bytes.first else { return nil }
        let body = Array(bytes.dropFirst())
        switch form % 4 {
        case 0:
            let spec = String(decoding: body, as: UTF8.self)
            return spec.contains("/") ? nil : try KernelLibrary.resolve(spec)
        case 1:
            return try KernelDefinition.parse(
                String(decoding: body, as: UTF8.self), name: "fuzz", path: "fuzz.kernel"
            ).kernels
        default:
            let path =
                NSTemporaryDirectory()
                + "convkit-kernel-corpus-\(getpid()).\(form % 4 == 2 ? "mat" : "npy")"
            try #require(FileManager.default.createFile(atPath: path, contents: Data(body)))
            defer { try? FileManager.default.removeItem(atPath: path) }
            return try KernelLibrary.resolve(path)
        }
    }

    @Test func kernelCorpus() {
        FuzzCorpus("kernel").replay(refusing: KernelError.self) { path, bytes in
            for kernel in try kernels(bytes) ?? [] {
                #expect(
                    (1...4096).contains(kernel.rows) && (1...4096).contains(kernel.columns)
                        && kernel.weights.count == kernel.rows * kernel.columns
                        && kernel.weights.allSatisfy(\.isFinite),
                    "\(path): kernel \(kernel.rows)x\(kernel.columns) with \(kernel.weights.count) weights"
                )
            }
        }
    }
}
