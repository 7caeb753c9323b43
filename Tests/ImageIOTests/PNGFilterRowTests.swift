// PNGFilterRowTests: the band encoder's row filter (sums measured without storing the five
// candidates, built for AVX2 too) picks the same filter and writes the same bytes as libpng's
// adaptive rule written out plainly, for every pixel size, narrow and wide rows, and ties.

import CPNG
import ConvkitSupport
import Testing

@Suite struct PNGFilterRowTests {
    /// Filters `row` under `previous` both ways and expects identical output.
    private func expectSame(_ row: [UInt8], _ previous: [UInt8], bpp: Int) {
        var fast = [UInt8](repeating: 0, count: row.count + 1)
        var reference = [UInt8](repeating: 0, count: row.count + 1)
        cpng_filter_row(row, previous, row.count, bpp, &fast)
        let status = cpng_filter_row_reference(row, previous, row.count, bpp, &reference)
        #expect(status == Int32(CPNG_OK.rawValue))
        #expect(fast == reference, "bpp \(bpp), \(row.count) bytes, type \(reference[0])")
    }

    @Test(arguments: [1, 2, 3, 4, 6, 8])
    func fastFilterEqualsTheReference(bpp: Int) {
        var generator = SeededGenerator(seed: UInt64(bpp))
        var typesSeen = Set<UInt8>()
        for pixels in [1, 2, 7, 611, 70_001 / bpp] {
            let n = pixels * bpp
            let zeros = [UInt8](repeating: 0, count: n)
            expectSame(zeros, zeros, bpp: bpp)  // every sum 0: the first filter, None
            for pattern in 0..<12 {
                // Noise of growing amplitude over gradients of several slopes, so that each
                // filter wins somewhere; the row above differs from this one by a slope too.
                let amplitude = UInt64(1 << (pattern % 9))
                let slope = pattern / 3
                let previous = (0..<n).map { i in
                    UInt8(truncatingIfNeeded: i * slope + Int(generator.next() % amplitude))
                }
                let row = (0..<n).map { i in
                    UInt8(
                        truncatingIfNeeded: Int(previous[i]) + i % 5 * (pattern % 4)
                            + Int(generator.next() % amplitude))
                }
                var out = [UInt8](repeating: 0, count: n + 1)
                cpng_filter_row(row, previous, n, bpp, &out)
                typesSeen.insert(out[0])
                expectSame(row, previous, bpp: bpp)
            }
        }
        #expect(typesSeen.count >= 3, "types chosen: \(typesSeen.sorted())")
    }
}
