// FFTWWisdom: FFTW's measured plans kept on disk between processes, checked before they are used.

import CConvKernels
import CFFTW
import Foundation
import ImageIO

/// FFTW "wisdom" (the record of which measured plan won for each transform size) saved in one
/// file, so only the first process to need a tile shape spends the seconds measuring it.
///
/// The file is one header line, `convkit-fftwf-wisdom 1 <machine> <checksum>`, then FFTW's own
/// text. `<machine>` is a hash of FFTW's version and this processor's model and vector units;
/// `<checksum>` is a hash of the text. A file whose header, machine or checksum does not match
/// (corrupt, truncated, written elsewhere) is ignored and later replaced; FFTW then measures
/// afresh. Files are written whole to a temporary name and renamed over the old one, so
/// processes running at once each read a complete file (the last writer's).
package enum FFTWWisdom {
    /// The file: `$CONVKIT_FFTW_WISDOM` when set (empty turns the file off), else
    /// `$XDG_CACHE_HOME/convkit/fftwf-wisdom`, else `~/.cache/convkit/fftwf-wisdom`.
    static var path: String? {
        let environment = ProcessInfo.processInfo.environment
        if let chosen = environment["CONVKIT_FFTW_WISDOM"] { return chosen.isEmpty ? nil : chosen }
        if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
            return cache + "/convkit/fftwf-wisdom"
        }
        guard let home = environment["HOME"], home.hasPrefix("/") else { return nil }
        return home + "/.cache/convkit/fftwf-wisdom"
    }

    private static let magic = "convkit-fftwf-wisdom 1"
    /// Larger files are not wisdom this code wrote.
    private static let largestFile = 4 << 20

    /// The file's contents for FFTW's wisdom `text` on this machine.
    package static func encode(_ text: String) -> String {
        "\(magic) \(machine) \(hex(fnv1a(text)))\n\(text)"
    }

    /// FFTW's text from `contents`, or nil unless the header is this format's, names this
    /// machine and the checksum matches.
    package static func decode(_ contents: String) -> String? {
        guard let newline = contents.firstIndex(of: "\n") else { return nil }
        let header = contents[..<newline].split(separator: " ").map(String.init)
        let text = String(contents[contents.index(after: newline)...])
        guard header.count == 4, "\(header[0]) \(header[1])" == magic, header[2] == machine,
            header[3] == hex(fnv1a(text)), !text.isEmpty
        else { return nil }
        return text
    }

    /// Adds the wisdom in the file at `path` to FFTW's; false (and FFTW's wisdom left empty)
    /// when the file is missing or not valid wisdom for this machine. Call under the planner's
    /// lock.
    @discardableResult
    package static func load(from path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: largestFile + 1), data.count <= largestFile,
            let contents = String(data: data, encoding: .utf8), let text = decode(contents)
        else { return false }
        if fftwf_import_wisdom_from_string(text) == 0 {
            fftwf_forget_wisdom()
            return false
        }
        return true
    }

    /// Writes FFTW's current wisdom to `path` atomically, creating its folder; failures are
    /// ignored (the wisdom is only a cache). Call under the planner's lock.
    static func save(to path: String) {
        guard let exported = fftwf_export_wisdom_to_string() else { return }
        defer { free(exported) }
        let text = String(cString: exported)
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true)
        try? FileAccess.writeAtomically(Array(encode(text).utf8), to: path)
    }

    /// FFTW's version, this processor's model name and its vector units, hashed.
    private static let machine: String = {
        var description = String(cString: fftwf_version_string())
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let model = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") })
        {
            description += "|" + model
        }
        description += "|avx2fma \(ck_has_avx2_fma()) avx512 \(ck_has_avx512_skylake())"
        return hex(fnv1a(description))
    }()

    private static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
