// KernelReferenceTests: every named kernel, family and file reader against weights produced by
// OpenCV, scipy, ImageMagick and libvips (scripts/make-kernel-fixtures.py).

import Foundation
import NamedKernelFiles
import Testing

@testable import Convolution

/// The reference weights of Fixtures/kernels/reference-kernels.json.
struct ReferenceKernels: Decodable {
    struct Entry: Decodable {
        let rows: Int
        let columns: Int
        let weights: [Double]
        let reference: String
    }

    let named: [String: Entry]
    let sets: [String: [Entry]]
    let families: [String: Entry]
    let files: [String: Entry]

    static let folder =
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path + "/kernels"

    static func load() throws -> ReferenceKernels {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/reference-kernels.json"))
        return try JSONDecoder().decode(ReferenceKernels.self, from: data)
    }
}

/// Fails unless `kernel` has the reference's shape and weights within `tolerance` relative to the
/// largest reference weight.
func expectMatches(
    _ kernel: Kernel, _ reference: ReferenceKernels.Entry, _ label: String,
    tolerance: Double = 1e-12,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        kernel.rows == reference.rows && kernel.columns == reference.columns,
        "\(label): \(kernel.rows)x\(kernel.columns), reference \(reference.rows)x\(reference.columns)",
        sourceLocation: sourceLocation)
    guard kernel.weights.count == reference.weights.count else { return }
    let scale = max(reference.weights.map(abs).max() ?? 1, 1e-300)
    let difference = zip(kernel.weights, reference.weights).map { abs($0 - $1) }.max() ?? 0
    #expect(
        difference <= tolerance * scale,
        "\(label) differs from \(reference.reference) by \(difference)",
        sourceLocation: sourceLocation)
}

@Suite struct KernelReferenceTests {
    @Test func everyNamedKernelMatchesItsReference() throws {
        let references = try ReferenceKernels.load()
        for (name, reference) in references.named {
            let kernels = try KernelLibrary.resolve(name)
            #expect(kernels.count == 1, "\(name)")
            if let kernel = kernels.first { expectMatches(kernel, reference, name) }
        }
    }

    @Test func everyNamedKernelHasAReference() throws {
        let references = try ReferenceKernels.load()
        let covered = Set(references.named.keys).union(references.sets.keys)
        let defined = Set(try KernelLibrary.namedKernels().map(\.name))
        #expect(defined == covered)
        #expect(
            defined.isSuperset(of: [
                "identity", "box3", "box5", "gaussian3", "gaussian5", "sharpen", "unsharp",
                "emboss",
                "edge", "laplacian-4", "laplacian-8", "sobel-x", "sobel-y", "scharr-x", "scharr-y",
                "prewitt-x", "prewitt-y", "roberts-x", "roberts-y", "kirsch", "tutorial-horizontal",
            ]))
    }

    /// Package.swift lists the resources one by one: a file missing from the list would resolve
    /// only from the source tree.
    @Test func bundleHoldsEveryKernelFileOfTheSourceFolder() throws {
        let sourceFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("filters").path
        let bundle = try #require(NamedKernelFiles.folder)
        #expect(
            bundle.hasSuffix(NamedKernelFiles.bundleName),
            "read from \(bundle), not the resource bundle")
        let kernelFiles = { (folder: String) in
            Set(
                try FileManager.default.contentsOfDirectory(atPath: folder).filter {
                    $0.hasSuffix(".kernel")
                })
        }
        #expect(try kernelFiles(bundle) == kernelFiles(sourceFolder))
    }

    @Test func namedKernelFilesCarryTheirMetadata() throws {
        for definition in try KernelLibrary.namedKernels() {
            #expect(!definition.description.isEmpty, "\(definition.name) has no description")
            #expect(!definition.source.isEmpty, "\(definition.name) has no source")
            #expect(!definition.orientation.isEmpty, "\(definition.name) has no orientation")
        }
    }

    @Test func scharrIsTheTutorialKernel() throws {
        let kernel = try #require(try KernelLibrary.resolve("scharr-x").first)
        #expect(kernel.weights == [-3, 0, 3, -10, 0, 10, -3, 0, 3])
        #expect(
            try KernelLibrary.resolve("tutorial-horizontal").first?.weights == [
                -6, -6, -6, 0, 0, 0, 6, 6, 6,
            ])
        #expect(
            try KernelLibrary.resolve("gaussian3").first?.weights
                == [1, 2, 1, 2, 4, 2, 1, 2, 1].map { $0 / 16 })
    }

    @Test func kirschIsImageMagicksCompassSet() throws {
        let references = try #require(try ReferenceKernels.load().sets["kirsch"])
        let kernels = try KernelLibrary.resolve("kirsch")
        #expect(kernels.count == 8)
        // The same eight matrices as ImageMagick's Kirsch:@, in whatever order.
        #expect(Set(kernels.map(\.weights)) == Set(references.map(\.weights)))
        // North first, as Wikipedia's g(1); each next one turned 45 degrees anticlockwise: every
        // border weight moves one cell anticlockwise round the ring.
        #expect(kernels.first?.weights == [5, 5, 5, -3, 0, -3, -3, -3, -3])
        let ring = [0, 1, 2, 5, 8, 7, 6, 3]  // border cells clockwise from the top-left
        for (previous, next) in zip(kernels, kernels.dropFirst() + kernels.prefix(1)) {
            for (index, cell) in ring.enumerated() {
                #expect(
                    next.weights[ring[(index + 7) % 8]] == previous.weights[cell],
                    "\(previous.name) -> \(next.name)")
            }
        }
        for (kernel, direction) in zip(kernels, ["n", "nw", "w", "sw", "s", "se", "e", "ne"]) {
            #expect(kernel.name == "kirsch-" + direction)
            #expect(try KernelLibrary.resolve("kirsch-" + direction) == [kernel])
        }
    }

    @Test func familiesMatchTheirReferences() throws {
        for (spec, reference) in try ReferenceKernels.load().families {
            let kernels = try KernelLibrary.resolve(spec)
            #expect(kernels.count == 1)
            if let kernel = kernels.first {
                expectMatches(kernel, reference, spec, tolerance: 1e-12)
            }
        }
    }

    @Test func arrayAndMatrixFilesMatchNumpyAndVips() throws {
        for (file, reference) in try ReferenceKernels.load().files {
            let kernels = try KernelLibrary.resolve(ReferenceKernels.folder + "/" + file)
            #expect(kernels.count == 1)
            if let kernel = kernels.first { expectMatches(kernel, reference, file, tolerance: 0) }
        }
    }

    @Test func familyProperties() throws {
        for spec in ["gaussian:5,1.2", "gaussian:9", "box:4", "disk:3"] {
            let kernel = try #require(try KernelLibrary.resolve(spec).first)
            #expect(abs(kernel.sum - 1) < 1e-12, "\(spec) sums to \(kernel.sum)")
            #expect(kernel.isBlur, "\(spec)")
        }
        for spec in ["log:9,1.4", "dog:9,1,2"] {
            let kernel = try #require(try KernelLibrary.resolve(spec).first)
            #expect(kernel.isZeroSum, "\(spec)")
            #expect(!kernel.isBlur, "\(spec)")
        }
        // A fractional radius as ImageMagick allows: 1.5 covers the corners (2 <= 2.25).
        let disk = try #require(try KernelLibrary.resolve("disk:1.5").first)
        #expect(disk.rows == 3 && disk.weights.allSatisfy { $0 == 1.0 / 9 })
    }
}
