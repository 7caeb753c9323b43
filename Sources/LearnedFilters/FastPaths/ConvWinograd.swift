// ConvWinograd: 3x3 stride-1 convolutions as Winograd F(2x2, 3x3) over cblas_sgemm, forward and backward.

import ConvkitSupport

/// Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional
/// Neural Networks", 2016). The output is cut into 2x2 tiles, each computed from the 4x4 input
/// tile under it (input tiles at stride 2, zero outside the input). In the transformed domain a
/// tile's 3x3 cross-correlation is 16 element-wise products, 4 multiplications per output
/// instead of 9, and over a block of tiles those are 16 matrix products
/// `M_xi[tiles, cout] = V_xi[tiles, cin] x U_xi[cin, cout]`, one single-threaded `cblas_sgemm`
/// per transformed position `xi`:
///
/// - kernel, once per call: `U = G W G^T` for each (cin, cout);
/// - input tiles: `V = B^T d B`;
/// - output: `Y = A^T M A`, plus bias and ReLU; bottom and right tiles past the output are cut.
///
/// Backward stays in the transformed domain. The (ReLU-masked) output gradient of a tile becomes
/// `dM = A dY A^T`, zero past the output; the kernel gradient is `G^T (sum over tiles of V^T dM) G`;
/// the input gradient is `B (dM U^T) B^T` added over the overlapping input tiles, inside the
/// input only. `V` is recomputed from the input rather than kept from the forward pass.
///
/// Each thread takes a contiguous share of the batch and walks it a block of samples at a time,
/// so a block's transformed tiles stay in cache from transform to product to transform. Kernel
/// and bias gradients are summed per thread and added in thread order, so the result depends
/// only on the thread count. The tile transforms run four channels per SIMD register, or
/// through ``AVX2Kernels`` (eight, same bits) where the processor has them. The transforms
/// add and halve values before multiplying, so results
/// round differently from the direct sum, by about 1e-6 of their scale in float32.
/// Matches ``ReferenceOps`` convForward and convBackward.
enum ConvWinograd {
    /// Whether a convolution is one this path computes: a 3x3 kernel, stride 1, dilation 1
    /// (any padding, any channel counts).
    static func supports(_ g: ConvGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideY == 1 && g.strideX == 1
            && g.dilationY == 1 && g.dilationX == 1
    }

    /// The grid of 2x2 output tiles of one sample; the last row or column may stick out.
    struct Tiles {
        let rows: Int, columns: Int
        init(_ g: ConvGeometry) {
            rows = (g.outputHeight + 1) / 2
            columns = (g.outputWidth + 1) / 2
        }
        var perSample: Int { rows * columns }
    }

    /// Samples per block: transformed input and output of about 1.25 MB, for the tutorial's
    /// second layer 4 samples (196 tiles), whose 16 products each read 25 KB and write 50 KB
    /// inside a core's 512 KB L2. Measured on that layer: 2 to 5 samples run alike, 1 sample
    /// and 6 samples (294 tiles, an inner dimension sgemm handles badly) are slower.
    static func blockSamples(_ g: ConvGeometry, filters: Int) -> Int {
        max(1, (5 << 16) / max(1, 16 * Tiles(g).perSample * (g.inputChannels + filters)))
    }

    static func forward(
        input: [Float], kernel: [Float], bias: [Float], output: inout [Float],
        batch: Int, geometry g: ConvGeometry, filters: Int, relu: Bool
    ) {
        output.withSharedMutablePointer { y in
            forwardBlocks(
                input: input, kernel: kernel, bias: bias, batch: batch, geometry: g,
                filters: filters
            ) { work, block, b in
                transformOutput(
                    work, samples: block.count, bias: b, relu: relu,
                    output: y + block.lowerBound * g.outputPixels * filters, geometry: g,
                    filters: filters)
            }
        }
    }

    /// The body of both forward passes: transforms the input of each block of samples and
    /// multiplies it by the transformed kernel into `work.output`, which
    /// `finish(work, samples, bias)` turns into the output.
    static func forwardBlocks(
        input: [Float], kernel: [Float], bias: [Float], batch: Int, geometry g: ConvGeometry,
        filters: Int,
        finish:
            @Sendable (_ work: Workspace, _ samples: Range<Int>, _ bias: UnsafePointer<Float>) ->
            Void
    ) {
        let channels = g.inputChannels
        let transformed = transformKernel(kernel, channels: channels, filters: filters)
        input.withSharedPointer { x in
            transformed.withSharedPointer { u in
                bias.withSharedPointer { b in
                    forEachBlock(batch, geometry: g, filters: filters) { _, work, samples in
                        let rows = samples.count * work.tilesPerSample
                        transformInput(
                            x + samples.lowerBound * g.inputSize, samples: samples.count,
                            into: work, geometry: g)
                        for xi in 0..<16 {
                            BLAS.gemm(
                                m: rows, n: filters, k: channels,
                                a: work.input + xi * rows * channels,
                                b: u + xi * channels * filters,
                                c: work.output + xi * rows * filters)
                        }
                        finish(work, samples, b.base)
                    }
                }
            }
        }
    }

    /// With `reluOutput`, the gradient is first masked where that output is not positive.
    static func backward(
        input: [Float], kernel: [Float], outputGradient: [Float], reluOutput: [Float]?,
        kernelGradient: inout [Float], biasGradient: inout [Float],
        inputGradient: inout [Float]?, batch: Int, geometry g: ConvGeometry, filters: Int
    ) {
        let mask = reluOutput ?? []
        outputGradient.withSharedPointer { dy in
            mask.withSharedPointer { m in
                let y = reluOutput == nil ? nil : m
                backwardBlocks(
                    input: input, kernel: kernel, kernelGradient: &kernelGradient,
                    biasGradient: &biasGradient,
                    inputGradient: &inputGradient, batch: batch, geometry: g, filters: filters
                ) { work, samples, biasSums in
                    let offset = samples.lowerBound * g.outputPixels * filters
                    transformGradient(
                        dy + offset, mask: y.map { $0 + offset }, samples: samples.count,
                        into: work, biasSums: biasSums, geometry: g, filters: filters)
                }
            }
        }
    }

    /// The body of both backward passes: `fillGradient(work, samples, biasSums)` puts the
    /// transformed output gradient of a block of samples into `work.output` and adds its sum
    /// to `biasSums`; the block's kernel and input gradients follow from it.
    static func backwardBlocks(
        input: [Float], kernel: [Float], kernelGradient: inout [Float], biasGradient: inout [Float],
        inputGradient: inout [Float]?, batch: Int, geometry g: ConvGeometry, filters: Int,
        fillGradient:
            @Sendable (
                _ work: Workspace, _ samples: Range<Int>, _ biasSums: UnsafeMutablePointer<Float>
            ) -> Void
    ) {
        let channels = g.inputChannels
        let chunks = chunkCount(batch)
        let transformedSize = 16 * channels * filters
        let partialSize = transformedSize + filters
        var partial = [Float](repeating: 0, count: chunks * partialSize)
        let wantInput = inputGradient != nil
        let transformed =
            wantInput
            ? transformKernel(kernel, channels: channels, filters: filters, transposed: true) : [0]
        var dx = inputGradient ?? [0]
        inputGradient = nil
        input.withSharedPointer { x in
            transformed.withSharedPointer { u in
                partial.withSharedMutablePointer { sums in
                    dx.withSharedMutablePointer { dInput in
                        forEachBlock(batch, parts: chunks, geometry: g, filters: filters) {
                            chunk, work, samples in
                            let rows = samples.count * work.tilesPerSample
                            let kernelSums = sums + chunk * partialSize
                            transformInput(
                                x + samples.lowerBound * g.inputSize, samples: samples.count,
                                into: work, geometry: g)
                            fillGradient(work, samples, kernelSums + transformedSize)
                            for xi in 0..<16 {
                                let v = work.input + xi * rows * channels
                                let m = work.output + xi * rows * filters
                                BLAS.gemm(
                                    transposeA: true, m: channels, n: filters, k: rows, a: v,
                                    b: m, beta: 1, c: kernelSums + xi * channels * filters)
                                if wantInput {
                                    BLAS.gemm(
                                        m: rows, n: channels, k: filters, a: m,
                                        b: u + xi * channels * filters, c: v)
                                }
                            }
                            if wantInput {
                                scatterInputGradient(
                                    work, samples: samples.count,
                                    into: dInput + samples.lowerBound * g.inputSize, geometry: g)
                            }
                        }
                    }
                }
            }
        }
        var transformedGradient = [Float](repeating: 0, count: transformedSize)
        transformedGradient.addPartialSums(partial, chunks: chunks, stride: partialSize)
        biasGradient.addPartialSums(
            partial, chunks: chunks, offset: transformedSize, stride: partialSize)
        addKernelGradient(
            transformedGradient, to: &kernelGradient, channels: channels, filters: filters)
        if wantInput { inputGradient = dx }
    }

    /// Runs `body(chunk, work, samples)` over the batch: each of at most `parts` threads takes
    /// a contiguous share (chunk), allocates its workspace once and walks its share in blocks
    /// of ``blockSamples(_:filters:)`` samples. The AVX2-or-portable choice is made here, once
    /// per pass, on the calling thread.
    private static func forEachBlock(
        _ batch: Int, parts: Int = ThreadPolicy.count, geometry g: ConvGeometry, filters: Int,
        _ body: @Sendable (_ chunk: Int, _ work: Workspace, _ samples: Range<Int>) -> Void
    ) {
        let block = blockSamples(g, filters: filters)
        let avx2 = AVX2Kernels.active(for: g.inputChannels, filters)
        parallelChunks(batch, parts: parts) { chunk, share in
            let work = Workspace(
                tiles: Tiles(g), samples: block, channels: g.inputChannels, filters: filters,
                avx2: avx2)
            defer { work.deallocate() }
            for start in stride(from: share.lowerBound, to: share.upperBound, by: block) {
                body(chunk, work, start..<min(start + block, share.upperBound))
            }
        }
    }

    // MARK: kernel transforms

    /// `U = G W G^T` for every (cin, cout): `[16, cin, cout]` from `W [3, 3, cin, cout]`, with
    /// `G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]`; `[16, cout, cin]` when
    /// `transposed`, for the input gradient's products.
    static func transformKernel(
        _ kernel: [Float], channels: Int, filters: Int, transposed: Bool = false
    ) -> [Float] {
        let plane = channels * filters
        var u = [Float](repeating: 0, count: 16 * plane)
        for e in 0..<plane {
            func w(_ ky: Int, _ kx: Int) -> Float { kernel[(ky * 3 + kx) * plane + e] }
            // Down each column (G W), then along each row ((G W) G^T).
            let c0 = expand(w(0, 0), w(1, 0), w(2, 0))
            let c1 = expand(w(0, 1), w(1, 1), w(2, 1))
            let c2 = expand(w(0, 2), w(1, 2), w(2, 2))
            let at = transposed ? (e % filters) * channels + e / filters : e
            func put(_ row: (Float, Float, Float, Float), _ i: Int) {
                u[(i * 4) * plane + at] = row.0
                u[(i * 4 + 1) * plane + at] = row.1
                u[(i * 4 + 2) * plane + at] = row.2
                u[(i * 4 + 3) * plane + at] = row.3
            }
            put(expand(c0.0, c1.0, c2.0), 0)
            put(expand(c0.1, c1.1, c2.1), 1)
            put(expand(c0.2, c1.2, c2.2), 2)
            put(expand(c0.3, c1.3, c2.3), 3)
        }
        return u
    }

    /// `G` applied to three values.
    @inline(__always) private static func expand(_ a: Float, _ b: Float, _ c: Float) -> (
        Float, Float, Float, Float
    ) {
        (a, (a + b + c) * 0.5, (a - b + c) * 0.5, c)
    }

    /// `G^T` applied to four values: the transpose of ``expand(_:_:_:)``.
    @inline(__always) private static func contract(_ a: Float, _ b: Float, _ c: Float, _ d: Float)
        -> (Float, Float, Float)
    {
        (a + (b + c) * 0.5, (b - c) * 0.5, (b + c) * 0.5 + d)
    }

    /// `dW += G^T dU G` for every (cin, cout).
    static func addKernelGradient(
        _ transformed: [Float], to kernelGradient: inout [Float], channels: Int, filters: Int
    ) {
        let plane = channels * filters
        for e in 0..<plane {
            func du(_ i: Int, _ j: Int) -> Float { transformed[(i * 4 + j) * plane + e] }
            // Down each column (G^T dU), then along each row ((G^T dU) G).
            let c0 = contract(du(0, 0), du(1, 0), du(2, 0), du(3, 0))
            let c1 = contract(du(0, 1), du(1, 1), du(2, 1), du(3, 1))
            let c2 = contract(du(0, 2), du(1, 2), du(2, 2), du(3, 2))
            let c3 = contract(du(0, 3), du(1, 3), du(2, 3), du(3, 3))
            func add(_ row: (Float, Float, Float), _ ky: Int) {
                kernelGradient[(ky * 3) * plane + e] += row.0
                kernelGradient[(ky * 3 + 1) * plane + e] += row.1
                kernelGradient[(ky * 3 + 2) * plane + e] += row.2
            }
            add(contract(c0.0, c1.0, c2.0, c3.0), 0)
            add(contract(c0.1, c1.1, c2.1, c3.1), 1)
            add(contract(c0.2, c1.2, c2.2, c3.2), 2)
        }
    }

    // MARK: tile transforms, four channels at a time

    /// The channels one step of a tile transform works on: four, one SSE or NEON register.
    /// Eight (two registers) leave too few registers for a tile's sixteen values.
    typealias Lanes = SIMD4<Float>

    /// Calls `body(first, lanes)` for every group of four of `count` channels, with `lanes`
    /// 4, then once for the last one to three. The transforms inline it, so their loads and
    /// stores of four lanes compile without tests of `lanes`.
    @inline(__always) static func forEachLaneGroup(
        _ count: Int, _ body: (_ first: Int, _ lanes: Int) -> Void
    ) {
        var first = 0
        while first + Lanes.scalarCount <= count {
            body(first, Lanes.scalarCount)
            first += Lanes.scalarCount
        }
        if first < count { body(first, count - first) }
    }

    /// `V = B^T d B` for every 4x4 input tile of `samples` samples, into `work.input` as
    /// `[16, tiles, cin]`, with `B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]`.
    static func transformInput(
        _ images: UnsafePointer<Float>, samples: Int, into work: Workspace, geometry g: ConvGeometry
    ) {
        forEachInputTile(
            images, samples: samples, outside: UnsafePointer(work.zeros), cells: work.readCells,
            work: work, geometry: g
        ) { cells, target, plane in
            AVX2Kernels.winogradInputTile(
                cells, channels: g.inputChannels, target: target, plane: plane)
        } portable: { cells, target, plane, ch, lanes in
            func d(_ k: Int) -> Lanes { load(cells[k] + ch, lanes) }
            // Along each row (d B), then down each column (B^T (d B)).
            let r0 = inputRow(d(0), d(1), d(2), d(3))
            let r1 = inputRow(d(4), d(5), d(6), d(7))
            let r2 = inputRow(d(8), d(9), d(10), d(11))
            let r3 = inputRow(d(12), d(13), d(14), d(15))
            func put(_ column: (Lanes, Lanes, Lanes, Lanes), _ c: Int) {
                store(column.0, target + c * plane + ch, lanes)
                store(column.1, target + (4 + c) * plane + ch, lanes)
                store(column.2, target + (8 + c) * plane + ch, lanes)
                store(column.3, target + (12 + c) * plane + ch, lanes)
            }
            put(inputRow(r0.0, r1.0, r2.0, r3.0), 0)
            put(inputRow(r0.1, r1.1, r2.1, r3.1), 1)
            put(inputRow(r0.2, r1.2, r2.2, r3.2), 2)
            put(inputRow(r0.3, r1.3, r2.3, r3.3), 3)
        }
    }

    /// Walks the input tiles of `samples` images at `images` in sample, row, column order,
    /// with `cells[0..<16]` pointing at the pixels of the 4x4 input tile, row-major, or at
    /// `outside` for those outside the input; `tile` is its place in `work.input`, whose 16
    /// planes are `plane` apart. Calls `avx2(cells, tile, plane)` once a tile where
    /// `work.avx2`, else `portable(cells, tile, plane, first, lanes)` for each group of
    /// channels (``forEachLaneGroup(_:_:)``). The cells are read (`UnsafePointer`) by the
    /// input transform and written (`UnsafeMutablePointer`) by the input gradient's scatter.
    @inline(__always) private static func forEachInputTile<Cell: Strideable>(
        _ images: Cell, samples: Int, outside: Cell, cells: UnsafeMutablePointer<Cell>,
        work: Workspace, geometry g: ConvGeometry,
        _ avx2: (
            _ cells: UnsafeMutablePointer<Cell>, _ tile: UnsafeMutablePointer<Float>, _ plane: Int
        ) -> Void,
        portable: (
            _ cells: UnsafeMutablePointer<Cell>, _ tile: UnsafeMutablePointer<Float>, _ plane: Int,
            _ first: Int, _ lanes: Int
        ) -> Void
    ) where Cell.Stride == Int {
        let tiles = Tiles(g)
        let plane = samples * tiles.perSample * g.inputChannels
        var t = 0
        for n in 0..<samples {
            let image = images.advanced(by: n * g.inputSize)
            for ty in 0..<tiles.rows {
                for tx in 0..<tiles.columns {
                    for r in 0..<4 {
                        let iy = 2 * ty - g.padTop + r
                        for c in 0..<4 {
                            let ix = 2 * tx - g.padLeft + c
                            let inside =
                                iy >= 0 && iy < g.inputHeight && ix >= 0 && ix < g.inputWidth
                            cells[r * 4 + c] =
                                inside
                                ? image.advanced(by: (iy * g.inputWidth + ix) * g.inputChannels)
                                : outside
                        }
                    }
                    let tile = work.input + t * g.inputChannels
                    if work.avx2 {
                        avx2(cells, tile, plane)
                    } else {
                        forEachLaneGroup(g.inputChannels) { first, lanes in
                            portable(cells, tile, plane, first, lanes)
                        }
                    }
                    t += 1
                }
            }
        }
    }

    /// `B^T` applied to four values.
    @inline(__always) private static func inputRow(_ a: Lanes, _ b: Lanes, _ c: Lanes, _ d: Lanes)
        -> (Lanes, Lanes, Lanes, Lanes)
    {
        (a - c, b + c, c - b, b - d)
    }

    /// `Y = A^T M A` from `work.output` (`[16, tiles, cout]`), plus bias and optional ReLU, into
    /// the NHWC output of `samples` samples, with `A^T = [[1, 1, 1, 0], [0, 1, -1, -1]]`.
    static func transformOutput(
        _ work: Workspace, samples: Int, bias: UnsafePointer<Float>, relu: Bool,
        output: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, filters: Int
    ) {
        let plane = samples * work.tilesPerSample * filters
        let cells = work.writeCells
        forEachOutputTile(samples: samples, geometry: g) { t, n, ty, tx in
            outputCells(
                output + n * g.outputPixels * filters, ty: ty, tx: tx, outside: work.sink,
                into: cells, geometry: g, filters: filters)
            let source = work.output + t * filters
            forEachLaneGroup(filters) { f, lanes in
                let y = outputTile(
                    source + f, plane: plane, bias: bias + f, relu: relu, lanes: lanes)
                store(y.0, cells[0] + f, lanes)
                store(y.1, cells[1] + f, lanes)
                store(y.2, cells[2] + f, lanes)
                store(y.3, cells[3] + f, lanes)
            }
        }
    }

    /// Calls `body(t, n, ty, tx)` for the output tiles of `samples` samples, t = 0, 1, ... in
    /// sample `n`, tile row `ty`, tile column `tx` order.
    @inline(__always) private static func forEachOutputTile(
        samples: Int, geometry g: ConvGeometry,
        _ body: (_ t: Int, _ n: Int, _ ty: Int, _ tx: Int) -> Void
    ) {
        let tiles = Tiles(g)
        var t = 0
        for n in 0..<samples {
            for ty in 0..<tiles.rows {
                for tx in 0..<tiles.columns {
                    body(t, n, ty, tx)
                    t += 1
                }
            }
        }
    }

    /// `Y = A^T M A` of one tile from `source[xi * plane]`, plus `bias` and optional ReLU: its
    /// four outputs in row-major order.
    @inline(__always) static func outputTile(
        _ source: UnsafePointer<Float>, plane: Int, bias: UnsafePointer<Float>, relu: Bool,
        lanes: Int
    ) -> (Lanes, Lanes, Lanes, Lanes) {
        func m(_ xi: Int) -> Lanes { load(source + xi * plane, lanes) }
        // Along each row (M A), then down each column (A^T (M A)).
        let r0 = outputRow(m(0), m(1), m(2), m(3))
        let r1 = outputRow(m(4), m(5), m(6), m(7))
        let r2 = outputRow(m(8), m(9), m(10), m(11))
        let r3 = outputRow(m(12), m(13), m(14), m(15))
        let b = load(bias, lanes)
        func finished(_ value: Lanes) -> Lanes {
            let biased = value + b
            return relu ? biased.replacing(with: 0, where: biased .< 0) : biased
        }
        let left = outputRow(r0.0, r1.0, r2.0, r3.0)
        let right = outputRow(r0.1, r1.1, r2.1, r3.1)
        return (finished(left.0), finished(right.0), finished(left.1), finished(right.1))
    }

    /// `A^T` applied to four values.
    @inline(__always) private static func outputRow(_ a: Lanes, _ b: Lanes, _ c: Lanes, _ d: Lanes)
        -> (Lanes, Lanes)
    {
        (a + b + c, b - c - d)
    }

    /// Points `cells[0..<4]` at the 2x2 output pixels of tile (ty, tx), row-major, or at
    /// `outside` for those past the output: written by the output transform, read by the
    /// gradient's.
    @inline(__always) private static func outputCells<Cell: Strideable>(
        _ image: Cell, ty: Int, tx: Int, outside: Cell, into cells: UnsafeMutablePointer<Cell>,
        geometry g: ConvGeometry, filters: Int
    ) where Cell.Stride == Int {
        for a in 0..<2 {
            let oy = 2 * ty + a
            for b in 0..<2 {
                let ox = 2 * tx + b
                cells[a * 2 + b] =
                    oy < g.outputHeight && ox < g.outputWidth
                    ? image.advanced(by: (oy * g.outputWidth + ox) * filters) : outside
            }
        }
    }

    /// `dM = A dY A^T` for every tile from the output gradient of `samples` samples (masked
    /// where `mask`, the ReLU output, is not positive; zero past the output), into `work.output`
    /// as `[16, tiles, cout]`; adds the masked gradient to `biasSums`.
    static func transformGradient(
        _ gradient: UnsafePointer<Float>, mask: UnsafePointer<Float>?, samples: Int,
        into work: Workspace,
        biasSums: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, filters: Int
    ) {
        let plane = samples * work.tilesPerSample * filters
        let cells = work.readCells
        let maskCells = work.readCells + 4
        let zeros = UnsafePointer(work.zeros)
        forEachOutputTile(samples: samples, geometry: g) { t, n, ty, tx in
            let offset = n * g.outputPixels * filters
            outputCells(
                gradient + offset, ty: ty, tx: tx, outside: zeros, into: cells, geometry: g,
                filters: filters)
            if let mask {
                outputCells(
                    mask + offset, ty: ty, tx: tx, outside: zeros, into: maskCells, geometry: g,
                    filters: filters)
            }
            let target = work.output + t * filters
            forEachLaneGroup(filters) { f, lanes in
                func dy(_ k: Int) -> Lanes {
                    let value = load(cells[k] + f, lanes)
                    return mask == nil
                        ? value
                        : Lanes(repeating: 0).replacing(
                            with: value, where: load(maskCells[k] + f, lanes) .> 0)
                }
                storeGradientTile(
                    dy(0), dy(1), dy(2), dy(3), biasSums: biasSums + f, target: target + f,
                    plane: plane, lanes: lanes)
            }
        }
    }

    /// Adds a tile's output gradient (`y00 y01 / y10 y11`, row-major) to `biasSums` and stores
    /// its `dM = A dY A^T` at `target[xi * plane]`.
    @inline(__always) static func storeGradientTile(
        _ y00: Lanes, _ y01: Lanes, _ y10: Lanes, _ y11: Lanes,
        biasSums: UnsafeMutablePointer<Float>,
        target: UnsafeMutablePointer<Float>, plane: Int, lanes: Int
    ) {
        store(load(biasSums, lanes) + ((y00 + y01) + (y10 + y11)), biasSums, lanes)
        // Along each row (dY A^T), then down each column (A (dY A^T)).
        let top = gradientRow(y00, y01)
        let bottom = gradientRow(y10, y11)
        func put(_ column: (Lanes, Lanes, Lanes, Lanes), _ c: Int) {
            store(column.0, target + c * plane, lanes)
            store(column.1, target + (4 + c) * plane, lanes)
            store(column.2, target + (8 + c) * plane, lanes)
            store(column.3, target + (12 + c) * plane, lanes)
        }
        put(gradientRow(top.0, bottom.0), 0)
        put(gradientRow(top.1, bottom.1), 1)
        put(gradientRow(top.2, bottom.2), 2)
        put(gradientRow(top.3, bottom.3), 3)
    }

    /// `A` applied to two values (`A = (A^T)^T`).
    @inline(__always) private static func gradientRow(_ a: Lanes, _ b: Lanes) -> (
        Lanes, Lanes, Lanes, Lanes
    ) {
        (a, a + b, a - b, -b)
    }

    /// `dd = B dV B^T` for every tile from `work.input` (`[16, tiles, cin]`), added onto the
    /// input-gradient cells of its 4x4 input tile that lie inside the input.
    static func scatterInputGradient(
        _ work: Workspace, samples: Int, into inputGradient: UnsafeMutablePointer<Float>,
        geometry g: ConvGeometry
    ) {
        forEachInputTile(
            inputGradient, samples: samples, outside: work.sink, cells: work.writeCells,
            work: work, geometry: g
        ) { cells, source, plane in
            AVX2Kernels.winogradScatterTile(
                source, plane: plane, channels: g.inputChannels, cells: cells)
        } portable: { cells, source, plane, ch, lanes in
            func dv(_ xi: Int) -> Lanes { load(source + xi * plane + ch, lanes) }
            // Along each row (dV B^T), then down each column (B (dV B^T)).
            let r0 = scatterRow(dv(0), dv(1), dv(2), dv(3))
            let r1 = scatterRow(dv(4), dv(5), dv(6), dv(7))
            let r2 = scatterRow(dv(8), dv(9), dv(10), dv(11))
            let r3 = scatterRow(dv(12), dv(13), dv(14), dv(15))
            func add(_ column: (Lanes, Lanes, Lanes, Lanes), _ c: Int) {
                func addTo(_ k: Int, _ value: Lanes) {
                    let cell = cells[k] + ch
                    store(load(cell, lanes) + value, cell, lanes)
                }
                addTo(c, column.0)
                addTo(4 + c, column.1)
                addTo(8 + c, column.2)
                addTo(12 + c, column.3)
            }
            add(scatterRow(r0.0, r1.0, r2.0, r3.0), 0)
            add(scatterRow(r0.1, r1.1, r2.1, r3.1), 1)
            add(scatterRow(r0.2, r1.2, r2.2, r3.2), 2)
            add(scatterRow(r0.3, r1.3, r2.3, r3.3), 3)
        }
    }

    /// `B` applied to four values (`B = (B^T)^T`).
    @inline(__always) private static func scatterRow(_ a: Lanes, _ b: Lanes, _ c: Lanes, _ d: Lanes)
        -> (Lanes, Lanes, Lanes, Lanes)
    {
        (a, b - c + d, b + c - a, -d)
    }

    /// Four floats, or the first `lanes` of them and zeros.
    @inline(__always) static func load(_ pointer: UnsafePointer<Float>, _ lanes: Int) -> Lanes {
        if lanes == Lanes.scalarCount {
            return UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
        }
        var value = Lanes()
        for i in 0..<lanes { value[i] = pointer[i] }
        return value
    }

    /// Stores four floats, or the first `lanes` of them.
    @inline(__always) static func store(
        _ value: Lanes, _ pointer: UnsafeMutablePointer<Float>, _ lanes: Int
    ) {
        if lanes == Lanes.scalarCount {
            return UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Lanes.self)
        }
        for i in 0..<lanes { pointer[i] = value[i] }
    }

    /// One thread's buffers for a block of samples, and the pass's choice of tile transforms.
    struct Workspace: @unchecked Sendable {
        /// Output tiles per sample.
        let tilesPerSample: Int
        /// Whether the tile transforms run through ``AVX2Kernels``.
        let avx2: Bool
        /// Transformed input tiles, later their gradients: `[16, tiles, cin]`.
        let input: UnsafeMutablePointer<Float>
        /// Transformed outputs, or output gradients: `[16, tiles, cout]`.
        let output: UnsafeMutablePointer<Float>
        /// Zeros read for cells outside the input or output.
        let zeros: UnsafeMutablePointer<Float>
        /// Written for output cells past the output and input-gradient cells outside the input; never read back.
        let sink: UnsafeMutablePointer<Float>
        /// The cells the tile at hand is read from (input, or output gradient and ReLU mask).
        let readCells: UnsafeMutablePointer<UnsafePointer<Float>>
        /// The cells the tile at hand is written to (output, or input gradient).
        let writeCells: UnsafeMutablePointer<UnsafeMutablePointer<Float>>

        init(tiles: Tiles, samples: Int, channels: Int, filters: Int, avx2: Bool) {
            tilesPerSample = tiles.perSample
            self.avx2 = avx2
            let width = max(channels, filters)
            let count = samples * tiles.perSample
            input = .allocate(capacity: 16 * count * channels)
            output = .allocate(capacity: 16 * count * filters)
            zeros = .allocate(capacity: width)
            zeros.initialize(repeating: 0, count: width)
            sink = .allocate(capacity: width)
            sink.initialize(repeating: 0, count: width)
            readCells = .allocate(capacity: 16)
            writeCells = .allocate(capacity: 16)
        }

        func deallocate() {
            input.deallocate()
            output.deallocate()
            zeros.deallocate()
            sink.deallocate()
            readCells.deallocate()
            writeCells.deallocate()
        }
    }
}
