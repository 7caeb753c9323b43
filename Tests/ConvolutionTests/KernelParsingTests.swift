// KernelParsingTests: every way of writing a kernel, and the errors for each, with positions.

import Foundation
import ImageIO
import Testing

@testable import Convolution

@Suite struct KernelParsingTests {
    let sobelX: [Double] = [-1, 0, 1, -2, 0, 2, -1, 0, 1]

    private func resolveOne(_ spec: String) throws -> Kernel {
        let kernels = try KernelLibrary.resolve(spec)
        try #require(kernels.count == 1)
        return kernels[0]
    }

    /// The error `spec` throws.
    private func error(_ spec: String) -> KernelError? {
        do {
            _ = try KernelLibrary.resolve(spec)
            return nil
        } catch {
            return error as? KernelError
        }
    }

    @Test(arguments: [
        "3x3: -1,0,1,-2,0,2,-1,0,1", "3: -1,0,1,-2,0,2,-1,0,1", " 3x3:-1 0 1  -2 0 2  -1 0 1 ",
        "3x3: -1, 0, 1, -2, 0, 2, -1, 0, 1,",
        "-1,0,1,-2,0,2,-1,0,1", "-1 0 1; -2 0 2; -1 0 1",
        "\u{2212}1 0 1; \u{2212}2 0 2; \u{2212}1 0 1",
        "[[-1,0,1],[-2,0,2],[-1,0,1]]", "[ [-1, 0, 1], [-2, 0, 2], [-1, 0, 1] ]",
        "[-1 0 1; -2 0 2; -1 0 1]", "[-1,0,1;-2,0,2;-1,0,1]",
    ])
    func inlineSyntaxes(spec: String) throws {
        let kernel = try resolveOne(spec)
        #expect(kernel.rows == 3 && kernel.columns == 3)
        #expect(kernel.weights == sobelX)
    }

    @Test func nonSquareInlineIsWidthByHeight() throws {
        // ImageMagick's order, as every size convkit writes: 3 columns, 2 rows.
        let kernel = try resolveOne("3x2: 1,2,3,4,5,6")
        #expect(kernel.rows == 2 && kernel.columns == 3)
        #expect(kernel[1, 0] == 4)
        let bracketed = try resolveOne("[[1,2,3],[4,5,6]]")
        #expect(bracketed.rows == kernel.rows && bracketed.weights == kernel.weights)
        let column = try resolveOne("1x3: 1/4, 1/2, 1/4")
        #expect(column.rows == 3 && column.columns == 1 && column.weights == [0.25, 0.5, 0.25])
    }

    @Test func badEntryIsNamedByPosition() {
        #expect(
            error("3x3: -1,0,1,-2,x,2,-1,0,1")
                == .malformed(
                    spec: "3x3: -1,0,1,-2,x,2,-1,0,1",
                    detail: "entry 5 (row 2, column 2) 'x' is not a number"))
        #expect(
            error("[[1,2],[3,4e]]")
                == .malformed(
                    spec: "[[1,2],[3,4e]]", detail: "entry 4 (row 2, column 2) '4e' is not a number"
                ))
        #expect(
            error("3x3: 1,2,x")?.description
                == "kernel '3x3: 1,2,x': entry 3 (row 1, column 3) 'x' is not a number")
        #expect(
            error("2x2: 1,,2,3")?.description.contains("entry 2 (row 1, column 2) is empty") == true
        )
        #expect(
            error("1x2: nan, 1")?.description.contains(
                "entry 1 (row 1, column 1) 'nan' is not a number") == true)
        #expect(
            error("1x2: 1e999, 1")?.description.contains("'1e999' is not a finite number") == true)
        #expect(error("1x2: 1/0, 1")?.description.contains("divides by zero") == true)
    }

    @Test func wrongShapesAreReported() {
        #expect(
            error("1,2,3")
                == .malformed(
                    spec: "1,2,3",
                    detail:
                        "3 weights without a size make no square kernel; write 'WxH: weights' (width x height) or '[[...],[...]]'"
                ))
        #expect(error("1,2,x,4") != nil)
        #expect(
            error("1,2,3.3.3,4")
                == .malformed(
                    spec: "1,2,3.3.3,4", detail: "entry 3 (row 2, column 1) '3.3.3' is not a number"
                ))
        #expect(
            error("3x3: 1,2,3,4,5,6,7,8")?.description
                == "kernel '3x3: 1,2,3,4,5,6,7,8': 3x3 needs 9 weights, got 8")
        #expect(
            error("[[1,2,3],[4,5]]")?.description.contains("row 2 has 2 weights, row 1 has 3")
                == true)
        #expect(error("[1 2; 3]")?.description.contains("row 2 has 1 weight, row 1 has 2") == true)
        #expect(error("[[[1]]]")?.description.contains("nested too deeply") == true)
        #expect(error("[1 2")?.description.contains("starts with '[' and ends with ']'") == true)
        #expect(error("3x3+1+1: 1,2,3,4,5,6,7,8,9")?.description.contains("origin offset") == true)
        #expect(error("0x3:")?.description.contains("1 to 4096 rows and columns") == true)
        // Sizes that would overflow if multiplied are refused before anything is allocated.
        #expect(
            error("9999999999999x9999999999999: 1")?.description.contains(
                "1 to 4096 rows and columns") == true)
        #expect(error("99999999999999999999x2: 1")?.description.contains("is not a size") == true)
        #expect(error("  ") != nil)
    }

    @Test func familyParametersAreChecked() {
        #expect(
            error("gaussian:0,1")?.description.contains(
                "SIZE must be a whole number from 1 to 4095, got 0") == true)
        #expect(error("gaussian:4,1")?.description.contains("SIZE must be odd") == true)
        #expect(
            error("gaussian:5.5,1")?.description.contains("SIZE must be a whole number") == true)
        #expect(error("gaussian:5,-1")?.description.contains("SIGMA must be positive") == true)
        #expect(
            error("gaussian:5,1,2")?.description.contains(
                "expected gaussian:SIZE[,SIGMA], got 3 parameters") == true)
        #expect(
            error("log:5,abc")?.description.contains("parameter 2 'abc' is not a number") == true)
        #expect(error("dog:9,2,2")?.description.contains("must differ") == true)
        #expect(error("disk:0")?.description.contains("RADIUS must be positive") == true)
        #expect(error("box:3x")?.description.contains("expected box:N or box:WxH") == true)
        #expect(error("box:99999")?.description.contains("SIZE must be a whole number") == true)
        #expect(error("box:5000x2")?.description.contains("1 to 4096 rows and columns") == true)
        #expect(throws: Never.self) { try KernelLibrary.resolve("GAUSSIAN:3") }
    }

    @Test func unknownNamesSuggestTheClosest() {
        guard case .unknownName(let name, let suggestions) = error("sobelx") else {
            Issue.record("expected an unknown-name error")
            return
        }
        #expect(name == "sobelx")
        #expect(suggestions.first == "sobel-x" && suggestions.contains("sobel-y"))
        #expect(
            error("kirsh")?.description.hasPrefix("unknown kernel 'kirsh'; did you mean kirsch")
                == true)
        #expect(error("sobel").map { "\($0)" }?.contains("sobel-x, sobel-y") == true)
        #expect(error("gauss:5,1") == .unknownName("gauss", suggestions: ["gaussian:SIZE[,SIGMA]"]))
        #expect(error("zzzzzzzz") == .unknownName("zzzzzzzz", suggestions: []))
        #expect(
            error("zzzzzzzz")?.description
                == "unknown kernel 'zzzzzzzz'"
        )
    }

    @Test func namesAreCaseInsensitive() throws {
        #expect(try resolveOne("Sobel-X").weights == sobelX)
        #expect(try resolveOne("KIRSCH-NE").name == "kirsch-ne")
    }

    @Test func kernelFilesWithSetsDivisorsAndComments() throws {
        let folder = try kernelTestFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/pair.kernel"
        try """
        # name: pair
        # description: two kernels
        #   on two lines
        kernel: first
        divisor: 4
        1, 2, 1

        # the second member has no name of its own
        kernel: second
        -1 0 1
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let definition = try KernelLibrary.definition(for: path)
        #expect(definition.name == "pair" && definition.description == "two kernels on two lines")
        #expect(definition.kernels.map(\.name) == ["first", "second"])
        #expect(definition.kernels[0].weights == [0.25, 0.5, 0.25])
        #expect(definition.kernels[1].weights == [-1, 0, 1])
        // Without a name line the file name is the name; blank lines separate members.
        let plain = folder + "/plain.txt"
        try "1 2\n3 4\n\n5 6\n7 8\n".write(toFile: plain, atomically: true, encoding: .utf8)
        #expect(try KernelLibrary.resolve(plain).map(\.name) == ["plain-1", "plain-2"])
    }

    /// Files saved by Windows editors (CRLF or CR line ends, a UTF-8 byte-order mark) read as
    /// the same kernels, and errors keep their line numbers.
    @Test func windowsLineEndsAndByteOrderMarks() throws {
        let folder = try kernelTestFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = [
            "set.kernel": "# name: set\nkernel: a\n1 2 1\n\nkernel: b\n-1 0 1\n",
            "m.mat": "3 1 2\n1 2 1\n",
        ]
        for (name, text) in files {
            let plain = folder + "/plain-" + name
            try text.write(toFile: plain, atomically: true, encoding: .utf8)
            let expected = try KernelLibrary.resolve(plain).map(\.weights)
            for variant in [
                text.replacingOccurrences(of: "\n", with: "\r\n"),
                text.replacingOccurrences(of: "\n", with: "\r"),
                "\u{FEFF}" + text.replacingOccurrences(of: "\n", with: "\r\n"),
            ] {
                let path = folder + "/" + name
                try variant.write(toFile: path, atomically: true, encoding: .utf8)
                #expect(try KernelLibrary.resolve(path).map(\.weights) == expected, "\(variant)")
            }
        }
        #expect(
            try resolvingFailure("\u{FEFF}1 2 3\r\n4 x 6\r\n", name: "bad.kernel", in: folder)
                == "bad.kernel: line 2, column 2: 'x' is not a number")
    }

    // This test and vipsMatrixErrors open alike on purpose (a scratch folder and a failure
    // function for their own file name); resolvingFailure holds what they share.
    @Test func kernelFileErrorsNameTheLine() throws {
        let folder = try kernelTestFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func failure(_ text: String) throws -> String? {
            try resolvingFailure(text, name: "bad.kernel", in: folder)
        }
        #expect(
            try failure("1 2 3\n4 x 6\n") == "bad.kernel: line 2, column 2: 'x' is not a number")
        #expect(
            try failure("1 2 3\n4 5\n") == "bad.kernel: line 2: 2 weights, the rows above have 3")
        #expect(try failure("# only a comment\n") == "bad.kernel: no kernel weights found")
        #expect(
            try failure("divisor: 0\n1\n")
                == "bad.kernel: line 1: divisor '0' is not a non-zero number")
        // A divisor cut off from the rows by a blank line, before or after them, belongs to no
        // kernel of the set: refused, not dropped (the weights would sum to 16, not 1).
        let loneDivisor =
            "'divisor:' has no rows of its own (a blank line separates the kernels of a set): write it next to the rows it divides"
        #expect(
            try failure("# name: blur\ndivisor: 16\n\n1 2 1\n2 4 2\n1 2 1\n")
                == "bad.kernel: line 2: " + loneDivisor)
        #expect(
            try failure("1 2 1\n2 4 2\n1 2 1\n\ndivisor: 16\n")
                == "bad.kernel: line 5: " + loneDivisor)
        #expect(
            try failure("1 2 1\n\ndivisor: 4\n\nkernel: b\n1 0 -1\n")
                == "bad.kernel: line 3: " + loneDivisor)
        // So is a member's name: the member would be named by its place instead.
        #expect(
            try failure("kernel: north\n\n1 1 1\n0 0 0\n-1 -1 -1\n")
                == "bad.kernel: line 1: 'kernel: north' has no rows of its own (a blank line separates the kernels of a set): write its rows right under it"
        )
        // Next to its rows, above or below them, it divides them.
        let blur = [1.0, 2, 1, 2, 4, 2, 1, 2, 1].map { $0 / 16 }
        for text in ["divisor: 16\n1 2 1\n2 4 2\n1 2 1\n", "1 2 1\n2 4 2\n1 2 1\ndivisor: 16\n"] {
            let path = folder + "/blur.kernel"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(try KernelLibrary.resolve(path).map(\.weights) == [blur])
        }
        #expect(
            error(folder + "/missing.kernel")?.description
                == "\(folder)/missing.kernel: cannot read: No such file or directory")
        #expect(error(folder)?.description.contains("unknown kernel") == false)
    }

    @Test func arrayFileErrors() throws {
        let folder = try kernelTestFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(
            error(folder + "/missing.npy")?.description
                == "\(folder)/missing.npy: cannot read: No such file or directory")
        let path = folder + "/cube.npy"
        let cube = try NPYArray(
            shape: [2, 2, 2], values: .float64([Double](repeating: 1, count: 8)))
        try NPY.write(cube, to: path)
        #expect(
            error(path)?.description
                == "\(path): a kernel is a 2-D array, this one has shape [2, 2, 2]")
        let notNPY = folder + "/text.npy"
        try "1 2 3".write(toFile: notNPY, atomically: true, encoding: .utf8)
        #expect(error(notNPY)?.description.hasPrefix("\(notNPY): not a .npy file") == true)
        let nonFinite = folder + "/nan.npy"
        try NPY.write(try NPYArray(shape: [1, 2], values: .float32([1, .nan])), to: nonFinite)
        #expect(error(nonFinite)?.description.contains("weight nan is not a finite number") == true)
        let empty = folder + "/empty.npy"
        try NPY.write(try NPYArray(shape: [0, 3], values: .float64([])), to: empty)
        #expect(
            error(empty)?.description
                == "\(empty): a kernel has 1 to 4096 rows and columns, this array has shape [0, 3]")
        // A row vector is a 1-row kernel.
        let row = folder + "/row.npy"
        try NPY.write(try NPYArray(shape: [3], values: .float64([1, 2, 1])), to: row)
        #expect(try resolveOne(row).rows == 1)
        // Shapes that are not one filter of one channel in a layout convkit knows are refused,
        // and so is (1, n, 1), which is a row as (kh, kw, 1) and a column as (1, kh, kw).
        func refused(_ shape: [Int]) throws -> String? {
            let path = folder + "/shape.npy"
            try NPY.write(
                try NPYArray(
                    shape: shape,
                    values: .float64([Double](repeating: 1, count: shape.reduce(1, *)))),
                to: path)
            return error(path)?.description.replacingOccurrences(of: path, with: "shape.npy")
        }
        #expect(
            try refused([1, 3, 1])
                == "shape.npy: an array of shape (1, 3, 1) is 1 row of 3 as (kh, kw, 1) or 3 rows of 1 as (1, kh, kw): save the kernel as a 2-D array"
        )
        for shape in [[3, 3, 1, 2], [1, 3, 3, 1], [2, 1, 3, 3]] {
            let text = "(" + shape.map(String.init).joined(separator: ", ") + ")"
            #expect(
                try refused(shape)
                    == "shape.npy: a 4-D kernel array is one filter of one channel, PyTorch's (1, 1, kh, kw) or Keras' (kh, kw, 1, 1); this one has shape \(text)"
            )
        }
        #expect(
            try refused([1, 1, 1, 3, 3])
                == "shape.npy: a kernel is a 2-D array, this one has shape [1, 1, 1, 3, 3]")
    }

    @Test func vipsMatrixErrors() throws {
        let folder = try kernelTestFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func failure(_ text: String) throws -> String? {
            try resolvingFailure(text, name: "m.mat", in: folder)
        }
        #expect(
            try failure("3 1 1 128\n1 2 3\n")?.contains("offset '128' is not supported") == true)
        #expect(try failure("3 2\n1 2 3\n") == "m.mat: the header says 2 rows, the file has 1")
        #expect(
            try failure("3 1 0\n1 2 3\n") == "m.mat: line 1: scale '0' is not a non-zero number")
        #expect(try failure("3 1\n1 2\n") == "m.mat: row 1 has 2 numbers, the header says 3")
        #expect(
            try failure("a b\n")
                == "m.mat: line 1: expected 'width height [scale [offset]]', got 'a b'")
        #expect(
            try failure("99999999999999999999 1\n1\n")?.contains("expected 'width height") == true)
        #expect(try failure("2 1 2 0\n1 3\n") == nil)
    }
}

/// The error of resolving a file `name` in `folder` holding `text`, with the folder left out
/// of the message; nil when the file resolves.
func resolvingFailure(_ text: String, name: String, in folder: String) throws -> String? {
    let path = folder + "/" + name
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    do {
        _ = try KernelLibrary.resolve(path)
        return nil
    } catch {
        return "\(error)".replacingOccurrences(of: path, with: name)
    }
}

/// A new empty folder under the system's temporary folder.
func kernelTestFolder() throws -> String {
    let path = NSTemporaryDirectory() + "/convkit-kernels-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
