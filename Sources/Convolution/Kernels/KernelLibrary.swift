// KernelLibrary: turns any --kernel argument into kernels.

import Foundation

/// Resolves kernel specifications, and lists what can be named.
public enum KernelLibrary {
    /// The kernels `spec` stands for, tried in this order:
    ///
    /// - a bracketed matrix: `[[-1,0,1],[-2,0,2],[-1,0,1]]` or `[-1 0 1; -2 0 2; -1 0 1]`;
    /// - ImageMagick's inline form `N: w,...` or `WxH: w,...` (W columns, H rows, weights row by
    ///   row), e.g. `3x3: -1,0,1,-2,0,2,-1,0,1`; without a size, a square number of weights
    ///   (`-1,0,1,-2,0,2,-1,0,1`) or rows separated by `;`;
    /// - a parametric family `gaussian:SIZE[,SIGMA]`, `box:N`, `log:SIZE,SIGMA`,
    ///   `dog:SIZE,S1,S2`, `disk:R` (`convkit kernels` lists them);
    /// - a file by extension: `.kernel` (the text format of filters/), `.npy` (numpy 2-D array),
    ///   `.mat` (libvips matrix, weights divided by its scale);
    /// - a named kernel of filters/ (`sobel-x`, case-insensitive), or one member of a set
    ///   (`kirsch-n`);
    /// - an existing file of any other name, read as `.kernel` text.
    ///
    /// Usually one kernel; a set such as `kirsch` gives all its members (8 compass directions),
    /// which `filter` combines by per-pixel maximum.
    ///
    /// - Throws: ``KernelError``: `unknownName` with the closest names, `malformed` with the
    ///   position of the bad entry, `badFile` naming the file.
    public static func resolve(_ spec: String) throws -> [Kernel] {
        try definition(for: spec).kernels
    }

    /// Like ``resolve(_:)``, with the name, description, source and orientation where known.
    public static func definition(for spec: String) throws -> KernelDefinition {
        let text = KernelText.trim(spec)
        let shown = String(text)
        if text.isEmpty {
            throw KernelError.malformed(spec: spec, detail: "the kernel specification is empty")
        }
        if text.hasPrefix("[") { return inline(try InlineKernel.parseBracketed(text)) }
        if InlineKernel.isSizedForm(text) { return inline(try InlineKernel.parseSized(text)) }
        if KernelText.isNumberList(text) { return inline(try InlineKernel.parseUnsized(text)) }
        if let colon = text.firstIndex(of: ":"),
            let family = KernelFamily(rawValue: text[..<colon].lowercased())
        {
            let kernel = try family.kernel(
                parameters: text[text.index(after: colon)...], spec: shown)
            return KernelDefinition(
                name: shown, description: family.summary,
                source: "computed in code; the reference it matches is in the description",
                orientation: "symmetric (convolve and correlate agree)", kernels: [kernel],
                isComputed: true)
        }
        let lower = shown.lowercased()
        if lower.hasSuffix(".npy") { return fromFile(try KernelArrayFiles.readNPY(path: shown)) }
        if lower.hasSuffix(".mat") { return fromFile(try KernelArrayFiles.readMat(path: shown)) }
        if lower.hasSuffix(".kernel") { return try readKernelFile(shown) }
        if let named = try NamedKernels.lookup(shown) { return named }
        if FileManager.default.fileExists(atPath: shown) { return try readKernelFile(shown) }
        if let colon = text.firstIndex(of: ":") {
            let head = String(text[..<colon])
            let families = KernelFamily.allCases.map(\.rawValue)
            throw KernelError.unknownName(
                head,
                suggestions: NameSuggestions.closest(to: head, in: families).compactMap {
                    KernelFamily(rawValue: $0)?.syntax
                })
        }
        throw KernelError.unknownName(
            shown, suggestions: NameSuggestions.closest(to: shown, in: try knownNames()))
    }

    /// The named kernels of filters/, sorted by name (sets such as `kirsch` as one entry).
    public static func namedKernels() throws -> [KernelDefinition] {
        try NamedKernels.loaded.get()
    }

    /// Every name `--kernel` accepts without parameters: definitions, set members, family names.
    package static func knownNames() throws -> [String] {
        let definitions = try namedKernels()
        let members = definitions.filter { $0.kernels.count > 1 }.flatMap { $0.kernels.map(\.name) }
        return definitions.map(\.name) + members + KernelFamily.allCases.map(\.rawValue)
    }

    private static func inline(_ kernel: Kernel) -> KernelDefinition {
        KernelDefinition(
            name: kernel.name, description: "inline matrix", source: "command line",
            orientation: "as written", kernels: [kernel])
    }

    private static func fromFile(_ kernel: Kernel) -> KernelDefinition {
        KernelDefinition(
            name: kernel.name, description: "", source: kernel.name, orientation: "as written",
            kernels: [kernel])
    }

    private static func readKernelFile(_ path: String) throws -> KernelDefinition {
        let bytes = try KernelArrayFiles.readBytes(path)
        let stem =
            path.split(separator: "/").last.map { String($0.split(separator: ".").first ?? $0) }
            ?? path
        var definition = try KernelDefinition.parse(
            String(decoding: bytes, as: UTF8.self), name: stem, path: path)
        if definition.source.isEmpty { definition.source = path }
        return definition
    }
}
