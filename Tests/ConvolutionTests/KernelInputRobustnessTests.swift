// KernelInputRobustnessTests: random kernel text and damaged kernel files must give a typed
// error or a kernel, never a crash (nothing reachable from user input may trap).

import Foundation
import Testing

@testable import Convolution

@Suite struct KernelInputRobustnessTests {
    /// Deterministic 64-bit LCG (Knuth's MMIX constants).
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    /// Resolves `spec`; anything but a kernel or a KernelError is a failure.
    private func resolveSafely(_ spec: String) {
        do {
            let kernels = try KernelLibrary.resolve(spec)
            #expect(!kernels.isEmpty)
        } catch is KernelError {
        } catch {
            Issue.record("\(spec.debugDescription) threw \(type(of: error)): \(error)")
        }
    }

    @Test func randomInlineText() {
        var generator = Generator(state: 1)
        let pieces = [
            "0", "1", "-2", "3.5", "1e3", "1/4", "x", "X", ":", ",", ";", "[", "]", " ", ".", "-",
            "+", "e", "/",
            "9999999999999999999999", "3x3:", "2x3:", "[[", "]]", "nan", "gaussian:", "box:",
            "log:", "dog:", "disk:",
            "sobel", "\n", "0x10", "64", "4097", "1.5",
        ]
        for _ in 0..<1500 {
            let spec = (0..<(1 + generator.next(12))).map { _ in
                pieces[generator.next(pieces.count)]
            }.joined()
            resolveSafely(spec)
        }
    }

    @Test func damagedFiles() throws {
        let folder = try kernelTestFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var generator = Generator(state: 2)
        let originals = try ["k-le-i8.npy", "k-le-f4.npy", "k-be-i8.npy", "k-scaled.mat"].map {
            (
                name: $0,
                bytes: [UInt8](
                    try Data(contentsOf: URL(fileURLWithPath: ReferenceKernels.folder + "/" + $0)))
            )
        }
        let inserted = Array("0 -:,.x\n9'".utf8)
        let kernelText = Array("# name: k\nkernel: a\ndivisor: 4\n1 2 1\n2 4 2\n\n-1 0 1\n".utf8)
        for round in 0..<300 {
            let (name, original) =
                round % 5 == 4 ? ("k.kernel", kernelText) : originals[round % originals.count]
            var bytes = original
            for _ in 0..<(1 + generator.next(4)) {
                switch generator.next(3) {
                case 0: bytes[generator.next(bytes.count)] = UInt8(generator.next(256))
                case 1: bytes = Array(bytes.prefix(generator.next(bytes.count + 1)))
                default:
                    bytes.insert(
                        inserted[generator.next(inserted.count)],
                        at: generator.next(bytes.count + 1))
                }
                if bytes.isEmpty { bytes = [0] }
            }
            let path = folder + "/" + name
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            resolveSafely(path)
        }
    }
}
