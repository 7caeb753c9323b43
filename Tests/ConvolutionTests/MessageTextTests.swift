// MessageTextTests: the pieces of one-line messages from ConvkitSupport: escaped file content,
// counts with agreeing plurals, whole numbers without ".0".

import ConvkitSupport
import Testing

@Suite struct MessageTextTests {
    @Test func fileContentIsEscapedOnOneLine() {
        #expect(escapedForMessage("a\nb\tc\u{1B}[31m") == "a\\nb\\tc\\u{1B}[31m")
        #expect(escapedForMessage("back\\slash") == "back\\\\slash")
        #expect(escapedForMessage("back\\slash", keepBackslashes: true) == "back\\slash")
        #expect(escapedForMessage(String(repeating: "x", count: 100), limit: 5) == "xxxxx...")
        #expect(escapedForMessage("\u{202E}gnp.exe") == "\\u{202E}gnp.exe")
        #expect(escapedForMessage("naïve") == "naïve")
    }

    @Test func pluralsAgree() {
        #expect(counted(1, "file") == "1 file")
        #expect(counted(0, "file") == "0 files")
        #expect(counted(2, "child", "children") == "2 children")
    }

    @Test func wholeNumbersPrintWhole() {
        #expect(plainNumber(9) == "9")
        #expect(plainNumber(-0.0) == "0")
        #expect(plainNumber(2.5) == "2.5")
        #expect(plainNumber(1e39) == "1e+39")
        #expect(plainNumber(.nan) == "nan")
        #expect(plainNumber(-.infinity) == "-inf")
    }
}
