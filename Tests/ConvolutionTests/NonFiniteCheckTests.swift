// NonFiniteCheckTests: the eight-at-a-time search for inf and NaN in Float results finds the
// same first value as the plain search, wherever it lies and whatever else follows it.

import Testing

@testable import Convolution

@Suite struct NonFiniteCheckTests {
    @Test func vectorSearchEqualsThePlainSearch() {
        let columns = 13
        let rows = 7
        let count = columns * rows
        let clean = Plane(
            unchecked: rows, columns: columns, values: (0..<count).map { Float($0) * 0.25 - 9 })
        let bad: [Float] = [.nan, .infinity, -.infinity, .signalingNaN]
        #expect(FilteredArray.firstNonFinite(in: [clean, clean]) == nil)
        for position in [0, 1, 7, 8, 9, 63, 64, count - 9, count - 8, count - 1] {
            for (k, value) in bad.enumerated() {
                var values = clean.values
                values[position] = value
                if position + 5 < count { values[position + 5] = bad[(k + 1) % bad.count] }
                let dirty = Plane(unchecked: rows, columns: columns, values: values)
                for planes in [[dirty], [clean, dirty], [dirty, clean]] {
                    let fast = FilteredArray.firstNonFinite(in: planes)
                    let reference = genericSearch(planes)
                    #expect(fast != nil)
                    #expect(
                        fast.map { [$0.channel, $0.x, $0.y] }
                            == reference.map { [$0.channel, $0.x, $0.y] },
                        "\(value) at \(position)")
                }
            }
        }
    }

    /// The generic (reference) search, reached through a generic context.
    private func genericSearch<Scalar: BinaryFloatingPoint>(_ planes: [Plane<Scalar>]) -> (
        channel: Int, x: Int, y: Int
    )? {
        FilteredArray.firstNonFinite(in: planes)
    }
}
