// ConvWinogradPooled: ConvWinograd's passes fused with a 2x2 max pooling, for ConvPool.

import ConvkitSupport

extension ConvWinograd {
    /// Whether a 2x2 output tile is exactly one window of `pool`: a 2x2 pool at stride 2
    /// without padding over an output of even height and width.
    static func tilesArePoolWindows(_ pool: ConvGeometry) -> Bool {
        pool.kernelHeight == 2 && pool.kernelWidth == 2 && MaxPoolKernels.tilesInput(pool)
    }

    /// Forward through the convolution and a 2x2 max pooling (``tilesArePoolWindows(_:)``):
    /// each output tile is pooled as it leaves the transform, so the convolution's output is
    /// never stored. `pooled` and `argmax` are the pooling's output and winning positions, as
    /// ``MaxPoolKernels/forward(input:output:argmax:batch:geometry:)`` gives them. With the
    /// direct pair, fusion saves a fifth of the epoch (see ``ConvPool``). The pool
    /// is not read (its windows are the tiles); it is taken so that both fused passes have
    /// ``ConvDirect``'s signature.
    static func forwardPooled(
        input: [Float], kernel: [Float], bias: [Float], pooled: inout [Float],
        argmax: inout [Float],
        batch: Int, geometry g: ConvGeometry, pool _: ConvGeometry, filters: Int, relu: Bool
    ) {
        let cellsPerSample = Tiles(g).perSample * filters
        pooled.withSharedMutablePointer { y in
            argmax.withSharedMutablePointer { a in
                forwardBlocks(
                    input: input, kernel: kernel, bias: bias, batch: batch, geometry: g,
                    filters: filters
                ) { work, block, b in
                    let offset = block.lowerBound * cellsPerSample
                    poolOutput(
                        work, samples: block.count, bias: b, relu: relu, pooled: y + offset,
                        argmax: a + offset, filters: filters)
                }
            }
        }
    }

    /// `Y = A^T M A` plus bias and optional ReLU for every tile (``outputTile``), then
    /// the tile's maximum and the row-major position of its first maximum.
    private static func poolOutput(
        _ work: Workspace, samples: Int, bias: UnsafePointer<Float>, relu: Bool,
        pooled: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Float>, filters: Int
    ) {
        let tileCount = samples * work.tilesPerSample
        let plane = tileCount * filters
        for t in 0..<tileCount {
            let source = work.output + t * filters
            if work.avx2 {
                AVX2Kernels.winogradPoolOutputTile(
                    source, plane: plane, bias: bias, relu: relu, filters: filters,
                    pooled: pooled + t * filters, argmax: argmax + t * filters)
                continue
            }
            forEachLaneGroup(filters) { f, lanes in
                let y = outputTile(
                    source + f, plane: plane, bias: bias + f, relu: relu, lanes: lanes)
                var best = y.0
                var index = Lanes()
                MaxPoolKernels.keepGreater(y.1, at: 1, best: &best, index: &index)
                MaxPoolKernels.keepGreater(y.2, at: 2, best: &best, index: &index)
                MaxPoolKernels.keepGreater(y.3, at: 3, best: &best, index: &index)
                store(best, pooled + t * filters + f, lanes)
                store(index, argmax + t * filters + f, lanes)
            }
        }
    }

    /// Kernel and bias gradients (and, when asked, the input gradient) of ``forwardPooled``
    /// from the gradient of the pooled output: each tile's output gradient is the pooled
    /// gradient at the window's winner and zero elsewhere, masked where the pooled value (the
    /// ReLU output at the winner) is not positive. The pool is not read, as in ``forwardPooled``.
    static func backwardPooled(
        input: [Float], kernel: [Float], pooledGradient: [Float], pooled: [Float], argmax: [Float],
        kernelGradient: inout [Float], biasGradient: inout [Float], inputGradient: inout [Float]?,
        batch: Int, geometry g: ConvGeometry, pool _: ConvGeometry, filters: Int, relu: Bool
    ) {
        let cellsPerSample = Tiles(g).perSample * filters
        withSharedPointers(pooledGradient, pooled, argmax) { dy, y, a in
            backwardBlocks(
                input: input, kernel: kernel, kernelGradient: &kernelGradient,
                biasGradient: &biasGradient,
                inputGradient: &inputGradient, batch: batch, geometry: g, filters: filters
            ) { work, block, biasSums in
                let offset = block.lowerBound * cellsPerSample
                unpoolGradient(
                    dy + offset, pooled: relu ? y + offset : nil, argmax: a + offset,
                    samples: block.count, into: work, biasSums: biasSums, filters: filters)
            }
        }
    }

    /// `dM = A dY A^T` for every tile, as ``transformGradient``, with each tile's output
    /// gradient rebuilt from its pooled cell: the gradient at the winning position (where the
    /// pooled value, if given, is positive), zero at the other three.
    private static func unpoolGradient(
        _ gradient: UnsafePointer<Float>, pooled: UnsafePointer<Float>?,
        argmax: UnsafePointer<Float>,
        samples: Int, into work: Workspace, biasSums: UnsafeMutablePointer<Float>, filters: Int
    ) {
        let tileCount = samples * work.tilesPerSample
        let plane = tileCount * filters
        for t in 0..<tileCount {
            let cell = t * filters
            let target = work.output + cell
            if work.avx2 {
                AVX2Kernels.winogradUnpoolGradientTile(
                    gradient + cell, pooled: pooled.map { $0 + cell }, argmax: argmax + cell,
                    filters: filters, target: target, plane: plane, biasSums: biasSums)
                continue
            }
            forEachLaneGroup(filters) { f, lanes in
                let value = load(gradient + cell + f, lanes)
                let positions = load(argmax + cell + f, lanes)
                let open = pooled.map { load($0 + cell + f, lanes) .> 0 }
                func dy(_ position: Float) -> Lanes {
                    var wins = MaxPoolKernels.isPosition(positions, position)
                    if let open {
                        wins .&= open
                    }
                    return Lanes(repeating: 0).replacing(with: value, where: wins)
                }
                storeGradientTile(
                    dy(0), dy(1), dy(2), dy(3), biasSums: biasSums + f, target: target + f,
                    plane: plane, lanes: lanes)
            }
        }
    }
}
