// StreamedChain: a chain of kernels (--kernel A --kernel B ...) streamed over a PNG in bands:
// each band's rows are worked back through the steps to the input rows they need.

import ConvkitSupport
import ImageIO

extension StreamedFilter {
    /// One step of a chain, cut for bands: the step alone as a filter for a slab (`valid` along
    /// rows, the column padding of the step's whole input), and its row arithmetic.
    struct ChainStep {
        let filter: ImageFilter
        let rows: StreamBands
        /// Width of the step's input.
        let columns: Int
    }

    /// Why the chain `filter` cannot stream, or nil. `wrap` would need each step's result at
    /// its far edge before the bands reach it; the FFT path's tiles depend on the whole
    /// image's height.
    static func chainObstacle(to filter: ImageFilter) -> String? {
        if case .wrap = filter.options.boundary {
            return
                "with --boundary wrap each of its \(filter.steps.count) kernels needs rows from the far edge of the one before"
        }
        for step in filter.steps {
            guard let first = step.first else { return "a step has no kernel" }
            if step.contains(where: { $0.rows != first.rows || $0.columns != first.columns }) {
                return "the kernels of '\(first.name)' differ in size"
            }
            let span = AxisPair(
                rows: dilatedKernelSpan(kernel: first.rows, dilation: filter.options.dilation.rows),
                columns: dilatedKernelSpan(
                    kernel: first.columns, dilation: filter.options.dilation.columns))
            let plan = try? ConvolutionPlan(
                kernel: first, inputRows: span.rows, inputColumns: span.columns,
                options: filter.options)
            if !filter.float64, plan?.path == .fft {
                return
                    "kernel '\(first.name)' runs on the FFT path, whose tiles a chain's bands cannot reproduce"
            }
        }
        return nil
    }

    /// The steps of the chain over an input of `rows` x `columns`, and the output's size. A
    /// kernel that does not fit the result of the steps before it is named as in memory.
    func chainSteps(rows: Int, columns: Int) throws -> (steps: [ChainStep], output: AxisPair) {
        var size = AxisPair(rows: rows, columns: columns)
        var steps = [ChainStep]()
        for kernels in filter.steps {
            let kernel = kernels[0]
            let whole = try ConvolutionGeometry(
                inputRows: size.rows, inputColumns: size.columns, kernelRows: kernel.rows,
                kernelColumns: kernel.columns, kernelName: kernel.name, options: filter.options)
            var step = try bandFilter(kernel: kernel, columns: size.columns).filter
            step.steps = [kernels]
            step.alpha = filter.effectiveAlpha
            let bands = try StreamBands(
                inputRows: size.rows, kernelRows: kernel.rows, options: filter.options,
                fftColumns: nil, bandRows: bandRows)
            steps.append(ChainStep(filter: step, rows: bands, columns: size.columns))
            size = whole.output
        }
        return (steps, size)
    }

    /// Streams a chain over the PNG at `path` (see ``runChain(_:channels:hasAlpha:input:body:)``).
    func runChain(path: String, body: (FilteredImage, Int) throws -> Void) throws {
        let reader = try PNGRowReader(path: path)
        let header = reader.header
        guard !reader.isInterlaced else {
            throw ImageIOError.unsupported(
                path: path, detail: "an interlaced PNG cannot be read by rows")
        }
        let steps = try chainSteps(rows: header.height, columns: header.width).steps
        let policy = filter.effectiveAlpha
        let maxValue = header.decodedBitDepth == 16 ? 65535 : 255
        let hasAlpha = header.channels == 2 || header.channels == 4
        // The input rows each band reads, and the first any later band reads, which the
        // reading keeps: a later band's halo can reach back further than the one before.
        let slabs = steps[steps.count - 1].rows.bands.map {
            Self.inputRows(steps, steps.count - 1, $0)
        }
        var input = try ExtendedInput(
            path: path, reader: reader, bands: steps[0].rows, slabs: slabs.compactMap { $0 })
        var keep = slabs.map { rows in
            rows.map { input.interior(of: $0) }.flatMap { $0.isEmpty ? nil : $0.lowerBound }
                ?? Int.max
        }
        for index in keep.indices.reversed().dropFirst() {
            keep[index] = min(keep[index], keep[index + 1])
        }
        try runChain(
            steps, channels: gray ? (hasAlpha ? 2 : 1) : header.channels, hasAlpha: hasAlpha,
            input: { rows, band in
                var (image, fillRows) = try input.slab(rows, keepingFrom: keep[band])
                if gray { image = image.grayscale() }
                var planes = ImagePlanes.split(image)
                if policy == .premultiply, hasAlpha, let alpha = planes.last {
                    planes =
                        planes.dropLast().map {
                            filter.premultiplied($0, by: alpha, maxValue: Float(maxValue))
                        } + [alpha]
                }
                return planes.map { filter.filled($0, rows: fillRows, with: fillValue) }
            },
            body: { colour, alpha, first in
                let divided =
                    policy == .premultiply
                    ? alpha.map { alpha in
                        colour.map {
                            filter.unpremultiplied($0, by: alpha, maxValue: Float(maxValue))
                        }
                    } ?? colour : colour
                try body(
                    FilteredImage(colour: divided, alpha: alpha, maxValue: maxValue), first)
            })
    }

    /// Streams a chain over the float32 `.npy` array `reader` reads; bands come as images of
    /// `maxValue` (how ``FilteredImage/image(range:bitDepth:)`` reads the values).
    func runChain(
        array reader: NPYRowReader, maxValue: Int, body: (FilteredImage, Int) throws -> Void
    )
        throws
    {
        let steps = try chainSteps(rows: reader.rows, columns: reader.columns).steps
        let input = ExtendedArray(reader: reader, bands: steps[0].rows, fill: fillValue)
        try runChain(
            steps, channels: reader.channels, hasAlpha: false,
            input: { rows, _ in try input.slab(rows) },
            body: { colour, _, first in
                try body(FilteredImage(colour: colour, alpha: nil, maxValue: maxValue), first)
            })
    }

    /// The value outside the image under `--boundary fill`.
    var fillValue: Float {
        if case .fill(let value) = filter.options.boundary { return Float(value) }
        return 0
    }

    /// Streams a chain. Each band of the last step's output is computed from the rows of the
    /// step before that it needs (its halo, and the rows the boundary copies into its
    /// extension), and those from the step before, down to the input, which `input` gives for
    /// extended rows of the first step and a band's index: one plane per channel (alpha last),
    /// fill rows at the fill value, colour premultiplied when the alpha policy says so. Every
    /// step runs on its slab exactly as on the whole result of the step before (the direct,
    /// separable and reference paths compute each output row on its own), so the output is the
    /// in-memory one; `body` gets each band's colour, alpha and first row. A step's halo rows
    /// are computed again for each band that needs them: a few rows per band and step.
    private func runChain(
        _ steps: [ChainStep], channels: Int, hasAlpha: Bool,
        input: (Range<Int>, Int) throws -> [Plane<Float>],
        body: ([Plane<Float>], Plane<Float>?, Int) throws -> Void
    ) throws {
        let policy = filter.effectiveAlpha
        let fill = fillValue
        var band = 0

        /// Extended rows `rows` of step `index`'s input, one plane per channel.
        func slab(_ index: Int, _ rows: Range<Int>) throws -> [Plane<Float>] {
            if index == 0 { return try input(rows, band) }
            let step = steps[index]
            let sources = rows.map { step.rows.source(ofExtendedRow: $0) }
            var before = [Plane<Float>]()
            let needed = Self.hull(sources)
            if let needed { before = try output(index - 1, needed) }
            let first = needed?.lowerBound ?? 0
            return (0..<channels).map { channel in
                var values = [Float](repeating: fill, count: rows.count * step.columns)
                for (row, source) in sources.enumerated() {
                    guard let source else { continue }
                    let from = (source - first) * step.columns
                    values.replaceSubrange(
                        (row * step.columns)..<((row + 1) * step.columns),
                        with: before[channel].values[from..<(from + step.columns)])
                }
                return Plane(unchecked: rows.count, columns: step.columns, values: values)
            }
        }

        /// Rows `rows` of step `index`'s result, one plane per channel.
        func output(_ index: Int, _ rows: Range<Int>) throws -> [Plane<Float>] {
            let step = steps[index]
            let planes = try slab(index, step.rows.extendedRows(of: rows))
            return try planes.enumerated().map { channel, plane in
                guard hasAlpha, channel == planes.count - 1, policy == .pass else {
                    return try step.filter.run(plane)
                }
                return try step.filter.passThrough(plane)
            }
        }

        let last = steps.count - 1
        for rows in steps[last].rows.bands {
            var colour = try output(last, rows)
            let alpha = hasAlpha ? colour.removeLast() : nil
            try body(colour, alpha, rows.lowerBound)
            band += 1
        }
    }

    /// The extended input rows (of `steps[0]`) that rows `rows` of step `index`'s result are
    /// computed from, or nil when they need none (all fill).
    static func inputRows(_ steps: [ChainStep], _ index: Int, _ rows: Range<Int>) -> Range<Int>? {
        let extended = steps[index].rows.extendedRows(of: rows)
        if index == 0 { return extended }
        return hull(extended.map { steps[index].rows.source(ofExtendedRow: $0) })
            .flatMap { inputRows(steps, index - 1, $0) }
    }

    /// The rows from the first to the last of `sources` that are not nil.
    static func hull(_ sources: [Int?]) -> Range<Int>? {
        let rows = sources.compactMap { $0 }
        guard let low = rows.min(), let high = rows.max() else { return nil }
        return low..<(high + 1)
    }
}
