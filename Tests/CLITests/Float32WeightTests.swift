// Float32WeightTests: a kernel weight that Float32 would turn into 0 or into another whole
// number is refused, naming --float64, which filters with it exactly; ordinary rounding of a
// fraction, and a family's underflowing tail, are no reason to refuse.

import Foundation
import ImageIO
import Testing

@Suite struct Float32WeightTests {
    /// Filters a 1x1 float32 array holding 1 with `kernel` and `extra` options; returns how the
    /// run ended and the result's one value (nil when it wrote none).
    func filterOne(_ kernel: String, _ extra: [String] = []) throws -> (CLIResult, Double?) {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try NPY.write(NPYArray(shape: [1, 1], values: .float32([1])), to: folder + "/one.npy")
        let result = try CLI.run(
            ["filter", "one.npy", "--kernel", kernel, "-o", "out.npy"] + extra, in: folder)
        guard result.status == 0 else { return (result, nil) }
        switch try NPY.read(path: folder + "/out.npy").values {
        case .float64(let values): return (result, values.first)
        case .float32(let values): return (result, values.first.map(Double.init))
        default: return (result, nil)
        }
    }

    @Test func weightsFloat32WouldChangeAreRefusedAndExactInFloat64() throws {
        // numpy: float32(1e-46) == 0 and float32(16777217) == 16777216.
        for (weight, float32) in [("1e-46", "0"), ("16777217", "16777216")] {
            let (refused, _) = try filterOne("[\(weight)]")
            #expect(refused.status == 2)
            #expect(
                refused.stderr.contains(
                    "kernel '[\(weight)]': weight \(weight) becomes \(float32) in Float32"),
                "\(refused.stderr)")
            #expect(refused.stderr.contains("give --float64"))
            let (exact, value) = try filterOne("[\(weight)]", ["--float64"])
            #expect(exact.status == 0, "\(exact.stderr)")
            #expect(value == Double(weight))
        }
    }

    @Test func ordinaryRoundingIsNoReasonToRefuse() throws {
        let (fraction, value) = try filterOne("[0.1]")
        #expect(fraction.status == 0, "\(fraction.stderr)")
        #expect(value == Double(Float(0.1)))
        // gaussian:31,1's far tail (about 1e-49) underflows in Float32, harmlessly.
        let (family, _) = try filterOne("gaussian:31,1")
        #expect(family.status == 0, "\(family.stderr)")
    }
}
