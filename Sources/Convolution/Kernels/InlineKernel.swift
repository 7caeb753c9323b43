// InlineKernel: kernels written on the command line, ImageMagick style (`3x3: -1,0,1,...`) or as
// bracketed matrices (`[[-1,0,1],[-2,0,2]]`, `[-1 0 1; -2 0 2]`).

import ConvkitSupport

enum InlineKernel {
    /// Whether `spec` starts like ImageMagick's `N:` or `WxH:` form.
    static func isSizedForm(_ spec: Substring) -> Bool {
        guard let colon = spec.firstIndex(of: ":") else { return false }
        let head = spec[..<colon].filter { $0 != " " }
        return !head.isEmpty && head.first?.isNumber == true
            && head.allSatisfy { $0.isNumber || "x+-".contains($0) }
    }

    /// Parses `N: w,...` (N x N) or `WxH: w,...` (W columns, H rows: width x height, as
    /// ImageMagick writes kernel sizes and convkit writes every size). Weights are row by row,
    /// separated by commas and/or spaces.
    static func parseSized(_ spec: Substring, shown: String? = nil) throws -> Kernel {
        let name = shown ?? String(spec)
        guard let colon = spec.firstIndex(of: ":") else {
            throw KernelError.malformed(spec: name, detail: "expected 'WxH: weights'")
        }
        let head = spec[..<colon].filter { $0 != " " }
        if head.contains("+") || head.contains("-") {
            throw KernelError.malformed(
                spec: name,
                detail:
                    "an origin offset ('\(head)') is not supported: the origin is the kernel's centre as in scipy"
            )
        }
        let sizes = head.split(separator: "x", omittingEmptySubsequences: false)
        guard (1...2).contains(sizes.count), let columns = Int(sizes[0]),
            let rows = Int(sizes.last ?? "")
        else {
            throw KernelError.malformed(
                spec: name,
                detail: "'\(head)' is not a size; write N or WxH (width x height), e.g. 3x3")
        }
        try checkSize(rows: rows, columns: columns, spec: name)
        let tokens = KernelText.entries(spec[spec.index(after: colon)...])
        // Bad entries are reported before a wrong count: "3x3: 1,2,x" is a typo at entry 3.
        let grid = stride(from: 0, to: tokens.count, by: columns).map {
            Array(tokens[$0..<min($0 + columns, tokens.count)])
        }
        if case .failure(let error) = KernelText.weights(rows: grid) {
            throw KernelError.malformed(spec: name, detail: error.reason)
        }
        guard tokens.count == rows * columns else {
            throw KernelError.malformed(
                spec: name,
                detail: "\(columns)x\(rows) needs \(rows * columns) weights, got \(tokens.count)")
        }
        return try kernel(rows: grid, spec: name)
    }

    /// Parses weights written without a size, as ImageMagick's old-style kernels: a square
    /// number of weights makes a square kernel (`-1,0,1,-2,0,2,-1,0,1` is 3x3); rows separated by
    /// `;` are read as in brackets.
    static func parseUnsized(_ spec: Substring) throws -> Kernel {
        if spec.contains(";") {
            return try parseBracketed(Substring("[" + spec + "]"), shown: String(spec))
        }
        let count = KernelText.entries(spec).count
        let side = Int(Double(count).squareRoot().rounded())
        guard count > 0, side * side == count else {
            throw KernelError.malformed(
                spec: String(spec),
                detail:
                    "\(count) weights without a size make no square kernel; write 'WxH: weights' (width x height) or '[[...],[...]]'"
            )
        }
        return try parseSized(Substring("\(side)x\(side): " + spec), shown: String(spec))
    }

    /// Parses `[[a,b],[c,d]]` (numpy / JSON nesting) or `[a b; c d]` (MATLAB rows).
    static func parseBracketed(_ spec: Substring, shown: String? = nil) throws -> Kernel {
        let name = shown ?? String(spec)
        let text = KernelText.trim(spec)
        guard text.hasPrefix("["), text.hasSuffix("]"), text.count >= 2 else {
            throw KernelError.malformed(
                spec: name, detail: "a bracketed matrix starts with '[' and ends with ']'")
        }
        let inner = KernelText.trim(text.dropFirst().dropLast())
        var rowTexts = [Substring]()
        if inner.hasPrefix("[") {
            var rest = inner
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]") else {
                    throw KernelError.malformed(
                        spec: name, detail: "row \(rowTexts.count + 1) is not enclosed in '[...]'")
                }
                let body = rest[rest.index(after: rest.startIndex)..<close]
                if body.contains("[") {
                    throw KernelError.malformed(
                        spec: name,
                        detail: "row \(rowTexts.count + 1) is nested too deeply: a kernel is 2-D")
                }
                rowTexts.append(body)
                rest = rest[rest.index(after: close)...].drop { $0 == " " }
                if rest.first == "," { rest = rest.dropFirst().drop { $0 == " " } }
            }
        } else {
            rowTexts = inner.split(separator: ";", omittingEmptySubsequences: false).map {
                Substring($0)
            }
        }
        let rows = rowTexts.map(KernelText.entries)
        for (index, row) in rows.enumerated() where row.count != rows[0].count {
            throw KernelError.malformed(
                spec: name,
                detail:
                    "row \(index + 1) has \(counted(row.count, "weight")), row 1 has \(rows[0].count)"
            )
        }
        try checkSize(rows: rows.count, columns: rows.first?.count ?? 0, spec: name)
        return try kernel(rows: rows, spec: name)
    }

    /// Rejects sizes a kernel cannot have before any allocation depends on them.
    static func checkSize(rows: Int, columns: Int, spec: String) throws {
        guard (1...4096).contains(rows), (1...4096).contains(columns) else {
            throw KernelError.malformed(
                spec: spec,
                detail: "a kernel has 1 to 4096 rows and columns, got \(columns)x\(rows)")
        }
    }

    private static func kernel(rows: [[Substring]], spec: String) throws -> Kernel {
        switch KernelText.weights(rows: rows) {
        case .success(let weights):
            return try Kernel(
                name: escapedForMessage(spec, limit: 40), rows: rows.count, columns: rows[0].count,
                weights: weights)
        case .failure(let error):
            throw KernelError.malformed(spec: spec, detail: error.reason)
        }
    }
}
