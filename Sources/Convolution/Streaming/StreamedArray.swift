// StreamedArray: a float32 .npy array filtered in bands of rows, read from the file as the bands
// need them, with the result ImageFilter.apply(to:name:) gives for the whole array.

import ConvkitSupport
import ImageIO

extension StreamedFilter {
    /// Filters the float32 `.npy` array that `reader` reads, band by band, calling `body` with
    /// each band's result and the output row it starts at. Every channel is a colour plane (an
    /// array has no alpha), and bands carry `maxValue` as the sample range a PNG of them maps
    /// from. The values are those of ``ImageFilter/apply(to:name:)`` on the whole array.
    /// - Throws: ``ConvolutionError`` as that does (inf or NaN in the array names its place),
    ///   `ImageIOError` for the file, and whatever `body` throws.
    public func run(
        array reader: NPYRowReader, maxValue: Int, body: (FilteredImage, Int) throws -> Void
    ) throws {
        if let obstacle = Self.obstacle(to: filter) {
            throw ConvolutionError.shapeMismatch("the filter cannot stream: \(obstacle)")
        }
        if Self.isChain(filter) {
            return try runChain(array: reader, maxValue: maxValue, body: body)
        }
        let (slabFilter, bands) = try singleStep(rows: reader.rows, columns: reader.columns)
        let input = ExtendedArray(reader: reader, bands: bands, fill: fillValue)
        for band in bands.bands {
            let planes = try input.slab(bands.extendedRows(of: band))
            let result = FilteredImage(
                colour: try planes.map { try slabFilter.run($0) }, alpha: nil, maxValue: maxValue)
            try body(Self.firstRows(band.count, of: result), band.lowerBound)
        }
    }
}

/// The rows of a float32 array's boundary-extended image, one plane per channel, read from the
/// file as asked for (the file reads any row at any time, so nothing is kept between slabs).
struct ExtendedArray {
    let reader: NPYRowReader
    let bands: StreamBands
    /// The value of rows outside the array under `--boundary fill`.
    let fill: Float

    /// The extended rows `rows`, one plane per channel.
    /// - Throws: ``ConvolutionError/shapeMismatch(_:)`` naming the first value that is inf or
    ///   NaN, as the whole array's filtering does.
    func slab(_ rows: Range<Int>) throws -> [Plane<Float>] {
        let width = reader.columns * reader.channels
        let inside = rows.clamped(to: bands.top..<(bands.top + reader.rows))
        let interior = (inside.lowerBound - bands.top)..<(inside.upperBound - bands.top)
        let held = try checked(interior.isEmpty ? [] : reader.read(rows: interior), first: interior)
        var values = [Float](repeating: fill, count: rows.count * width)
        for (index, row) in rows.enumerated() {
            guard let source = bands.source(ofExtendedRow: row) else { continue }
            let target = (index * width)..<((index + 1) * width)
            if interior.contains(source) {
                let from = (source - interior.lowerBound) * width
                values.replaceSubrange(target, with: held[from..<(from + width)])
            } else {
                values.replaceSubrange(
                    target,
                    with: try checked(
                        reader.read(rows: source..<(source + 1)), first: source..<(source + 1)))
            }
        }
        let channels = reader.channels
        return (0..<channels).map { channel in
            Plane(
                unchecked: rows.count, columns: reader.columns,
                values: stride(from: channel, to: values.count, by: channels).map { values[$0] })
        }
    }

    /// `values`, rows `rows` of the array, after checking that each is finite.
    private func checked(_ values: [Float], first rows: Range<Int>) throws -> [Float] {
        guard let bad = values.firstIndex(where: { !$0.isFinite }) else { return values }
        let pixel = bad / reader.channels
        throw ConvolutionError.shapeMismatch(
            "\(reader.path): holds \(plainNumber(Double(values[bad]))) at x \(pixel % reader.columns), y \(rows.lowerBound + pixel / reader.columns); filter needs finite numbers"
        )
    }
}
