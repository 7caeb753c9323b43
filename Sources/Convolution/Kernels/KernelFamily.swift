// KernelFamily: the parametric kernels built in code (gaussian, box, log, dog, disk).

import ConvkitSupport
import Foundation

/// A family of kernels computed from parameters, written `NAME:PARAMETERS` on the command line.
package enum KernelFamily: String, Sendable, CaseIterable {
    case gaussian, box, log, dog, disk

    /// How the family is written, e.g. `gaussian:SIZE[,SIGMA]`.
    package var syntax: String {
        switch self {
        case .gaussian: "gaussian:SIZE[,SIGMA]"
        case .box: "box:N or box:WxH"
        case .log: "log:SIZE,SIGMA"
        case .dog: "dog:SIZE,SIGMA1,SIGMA2"
        case .disk: "disk:RADIUS"
        }
    }

    /// What the family computes and which reference it matches.
    package var summary: String {
        switch self {
        case .gaussian:
            "Gaussian blur, SIZE x SIZE (SIZE odd), sum 1: the outer product of cv2.getGaussianKernel(SIZE, SIGMA); without SIGMA, OpenCV's default 0.3*((SIZE-1)/2-1)+0.8 (and its fixed tables for SIZE 1 to 9)"
        case .box: "mean filter: every weight 1/(W*H)"
        case .log:
            "Laplacian of Gaussian, SIZE x SIZE (SIZE odd), sum 0, negative centre: scipy.ndimage.gaussian_laplace's weights minus their mean (MATLAB fspecial('log'))"
        case .dog:
            "difference of Gaussians gaussian:SIZE,SIGMA1 minus gaussian:SIZE,SIGMA2 (SIZE odd), sum 0"
        case .disk:
            "disk mean filter: 1/n on the n pixels with x^2+y^2 <= RADIUS^2, size 2*floor(RADIUS)+1 (ImageMagick's Disk:RADIUS, normalised)"
        }
    }

    /// Builds the kernel for the text after the colon; `spec` is the whole argument, for errors.
    /// Parameters whose weights would not be finite Float32 numbers (a SIGMA so small that
    /// LoG's 1/SIGMA^4 overflows) are refused by name.
    package func kernel(parameters: Substring, spec: String) throws -> Kernel {
        do {
            return try computedKernel(parameters: parameters, spec: spec)
        } catch KernelError.invalid(_, let reason) {
            throw KernelError.malformed(
                spec: spec, detail: "these parameters give unusable weights: \(reason)")
        }
    }

    private func computedKernel(parameters: Substring, spec: String) throws -> Kernel {
        let values = try numbers(parameters, spec: spec)
        switch self {
        case .gaussian:
            try expect(values, count: 1...2, spec: spec)
            let size = try Self.size(values[0], spec: spec, odd: true)
            let sigma =
                values.count == 2 ? try Self.positive(values[1], what: "SIGMA", spec: spec) : nil
            let g = Self.gaussian1D(size: size, sigma: sigma)
            return try outer(g, g, spec: spec)
        case .box:
            let (rows, columns): (Int, Int)
            if parameters.contains("x") {
                // Width (columns) first, as every size convkit reads is written.
                let parts = parameters.split(separator: "x", omittingEmptySubsequences: false)
                guard parts.count == 2, let width = Int(KernelText.trim(parts[0])),
                    let height = Int(KernelText.trim(parts[1]))
                else {
                    throw KernelError.malformed(spec: spec, detail: "expected box:N or box:WxH")
                }
                (rows, columns) = (height, width)
            } else {
                try expect(values, count: 1...1, spec: spec)
                let n = try Self.size(values[0], spec: spec)
                (rows, columns) = (n, n)
            }
            try InlineKernel.checkSize(rows: rows, columns: columns, spec: spec)
            let weight = 1 / Double(rows * columns)
            return try Kernel(
                name: spec, rows: rows, columns: columns,
                weights: [Double](repeating: weight, count: rows * columns))
        case .log:
            try expect(values, count: 2...2, spec: spec)
            let size = try Self.size(values[0], spec: spec, minimum: 3, odd: true)
            let sigma = try Self.positive(values[1], what: "SIGMA", spec: spec)
            let g = Self.gaussian1D(size: size, sigma: sigma)
            let centre = Double(size - 1) / 2
            var weights = [Double]()
            for r in 0..<size {
                for c in 0..<size {
                    let (y, x) = (Double(r) - centre, Double(c) - centre)
                    weights.append(
                        g[r] * g[c] * (x * x + y * y - 2 * sigma * sigma)
                            / (sigma * sigma * sigma * sigma))
                }
            }
            let mean = weights.reduce(0, +) / Double(weights.count)
            return try Kernel(
                name: spec, rows: size, columns: size, weights: weights.map { $0 - mean })
        case .dog:
            try expect(values, count: 3...3, spec: spec)
            let size = try Self.size(values[0], spec: spec, minimum: 3, odd: true)
            let s1 = try Self.positive(values[1], what: "SIGMA1", spec: spec)
            let s2 = try Self.positive(values[2], what: "SIGMA2", spec: spec)
            guard s1 != s2 else {
                throw KernelError.malformed(spec: spec, detail: "SIGMA1 and SIGMA2 must differ")
            }
            let (g1, g2) = (
                Self.gaussian1D(size: size, sigma: s1), Self.gaussian1D(size: size, sigma: s2)
            )
            var weights = [Double]()
            for r in 0..<size {
                for c in 0..<size { weights.append(g1[r] * g1[c] - g2[r] * g2[c]) }
            }
            return try Kernel(name: spec, rows: size, columns: size, weights: weights)
        case .disk:
            try expect(values, count: 1...1, spec: spec)
            let radius = try Self.positive(values[0], what: "RADIUS", spec: spec)
            guard radius < 2048 else {
                throw KernelError.malformed(spec: spec, detail: "RADIUS must be below 2048")
            }
            let half = Int(radius)
            let size = 2 * half + 1
            let limit = radius * radius
            var mask = [Double]()
            for r in 0..<size {
                for c in 0..<size {
                    let (y, x) = (Double(r - half), Double(c - half))
                    mask.append(x * x + y * y <= limit ? 1 : 0)
                }
            }
            let count = mask.reduce(0, +)
            return try Kernel(
                name: spec, rows: size, columns: size, weights: mask.map { $0 / count })
        }
    }

    /// `cv2.getGaussianKernel(size, sigma)` for odd sizes: samples of exp(-x^2 / (2 sigma^2)) at
    /// offsets from the centre, divided by their sum. Without sigma, OpenCV's fixed weights for
    /// sizes 1 to 9 and its default sigma 0.3*((size-1)/2-1)+0.8 otherwise.
    static func gaussian1D(size: Int, sigma: Double?) -> [Double] {
        if sigma == nil, let table = binomial[size] { return table }
        let s = sigma ?? 0.3 * ((Double(size) - 1) * 0.5 - 1) + 0.8
        let centre = Double(size - 1) / 2
        let samples = (0..<size).map { i -> Double in
            let x = Double(i) - centre
            return exp(-x * x / (2 * s * s))
        }
        let total = samples.reduce(0, +)
        return samples.map { $0 / total }
    }

    /// OpenCV's `small_gaussian_tab` (used when sigma <= 0): binomial coefficients / 2^(n-1) up
    /// to 7, and OpenCV's 9-tap table in 256ths.
    private static let binomial: [Int: [Double]] = [
        1: [1],
        3: [0.25, 0.5, 0.25],
        5: [0.0625, 0.25, 0.375, 0.25, 0.0625],
        7: [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125],
        9: [4, 13, 30, 51, 60, 51, 30, 13, 4].map { $0 / 256 },
    ]

    private func numbers(_ text: Substring, spec: String) throws -> [Double] {
        let tokens = text.split(separator: ",", omittingEmptySubsequences: false).map {
            KernelText.trim($0)
        }
        if self == .box && text.contains("x") { return [] }
        return try tokens.enumerated().map { index, token in
            switch KernelText.number(token) {
            case .success(let value): return value
            case .failure(let error):
                throw KernelError.malformed(
                    spec: spec, detail: "parameter \(index + 1) \(error.reason); expected \(syntax)"
                )
            }
        }
    }

    private func expect(_ values: [Double], count: ClosedRange<Int>, spec: String) throws {
        guard count.contains(values.count) else {
            throw KernelError.malformed(
                spec: spec,
                detail:
                    "expected \(syntax), got \(values.count) parameter\(values.count == 1 ? "" : "s")"
            )
        }
    }

    /// A kernel size; `odd` for the families centred on a pixel (OpenCV's GaussianBlur also
    /// requires an odd size).
    private static func size(_ value: Double, spec: String, minimum: Int = 1, odd: Bool = false)
        throws -> Int
    {
        let limit = odd ? 4095 : 4096
        guard value == value.rounded(), value >= Double(minimum), value <= Double(limit) else {
            throw KernelError.malformed(
                spec: spec,
                detail:
                    "SIZE must be a whole number from \(minimum) to \(limit), got \(plainNumber(value))"
            )
        }
        guard !odd || Int(value) % 2 == 1 else {
            throw KernelError.malformed(
                spec: spec,
                detail: "SIZE must be odd (the kernel is centred on a pixel), got \(Int(value))")
        }
        return Int(value)
    }

    private static func positive(_ value: Double, what: String, spec: String) throws -> Double {
        guard value > 0 else {
            throw KernelError.malformed(
                spec: spec, detail: "\(what) must be positive, got \(plainNumber(value))")
        }
        return value
    }

    private func outer(_ column: [Double], _ row: [Double], spec: String) throws -> Kernel {
        try Kernel(
            name: spec, rows: column.count, columns: row.count,
            weights: column.flatMap { a in row.map { a * $0 } })
    }
}
