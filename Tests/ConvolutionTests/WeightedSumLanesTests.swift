// WeightedSumLanesTests: the fused weighted sum gives the same bits on 8 lanes (AVX2) and on 16
// (AVX-512), both the formula's, and the same answer to whether its check row is finite.

import CConvKernels
import ConvkitSupport
import Convolution
import Testing

@Suite struct WeightedSumLanesTests {
    /// Each lane count's sums, for row lengths around one, two and four vectors of either.
    @Test func sixteenLanesGiveTheBitsOfEightAndOfTheFormula() throws {
        guard FusedSums.lanesSupported.contains(16) else { return }
        var generator = SeededGenerator(seed: 91)
        for taps in [1, 3, 9, 25] {
            let weights = (0..<taps).map { _ in generator.nextUnitFloat() * 2 - 1 }
            for count in [1, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 130] {
                let rows = (0..<taps).map { _ in
                    (0..<count).map { _ in generator.nextUnitFloat() * 255 }
                }
                let expected = (0..<count).map { x in
                    (0..<taps).reduce(Float(0)) { $0.addingProduct(rows[$1][x], weights[$1]) }
                }
                for lanes: Int32 in [8, 16] {
                    let output = Self.sum(rows, weights: weights, count: count, lanes: lanes)
                    #expect(
                        output.map(\.bitPattern) == expected.map(\.bitPattern),
                        "\(taps) taps, \(count) outputs, \(lanes) lanes")
                }
            }
        }
    }

    /// The finiteness test finds one inf or NaN anywhere in the check row, on either lane count.
    @Test func bothLaneCountsFindANonFiniteValue() throws {
        guard FusedSums.lanesSupported.contains(16) else { return }
        let count = 100
        for bad in [Float.infinity, -.infinity, .nan] {
            for position in [0, 15, 31, 63, 64, 99] {
                var check = [Float](repeating: 1, count: count)
                check[position] = bad
                for lanes: Int32 in [8, 16] {
                    let finite = Self.checked([check], check: check, lanes: lanes)
                    #expect(!finite, "\(bad) at \(position), \(lanes) lanes")
                }
            }
        }
        for lanes: Int32 in [8, 16] {
            let check = [Float](repeating: 1, count: count)
            #expect(Self.checked([check], check: check, lanes: lanes), "\(lanes) lanes")
        }
    }

    static func sum(_ rows: [[Float]], weights: [Float], count: Int, lanes: Int32) -> [Float] {
        var output = [Float](repeating: 0, count: count)
        withPointers(rows) { sources in
            ck_weighted_sum(sources, weights, Int32(rows.count), count, &output, lanes)
        }
        return output
    }

    static func checked(_ rows: [[Float]], check: [Float], lanes: Int32) -> Bool {
        var output = [Float](repeating: 0, count: check.count)
        return withPointers(rows) { sources in
            ck_weighted_sum_checked(
                sources, [1], Int32(rows.count), check.count, &output, check, check.count, lanes)
                != 0
        }
    }

    /// Calls `body` with a pointer to each row's first value.
    static func withPointers<Result>(
        _ rows: [[Float]], _ body: (UnsafePointer<UnsafePointer<Float>?>) -> Result
    ) -> Result {
        let flat = rows.flatMap { $0 }
        let width = rows.first?.count ?? 0
        return flat.withUnsafeBufferPointer { values in
            let pointers = rows.indices.map { Optional(values.baseAddress! + $0 * width) }
            return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
        }
    }
}
