// ArrayFormatTests: NPY and IDX read against numpy-written files, and NPY written byte for byte as numpy does.

import ConvkitTestSupport
import Foundation
import Testing

@testable import ImageIO

@Suite struct ArrayFormatTests {
    /// The formula the fixture script used (see scripts/make-array-fixtures.py).
    static func expected(count: Int, dtype: String) -> [Double] {
        let kind = dtype.dropFirst()
        if kind.hasPrefix("f") { return (0..<count).map { Double($0) * 0.5 - 3.25 } }
        let bits = 8 * Int(String(kind.dropFirst()))!
        let modulus = kind.hasPrefix("i") ? 1 << (bits - 1) : 1 << bits
        return (0..<count).map { Double($0 * 37 % modulus) }
    }

    @Test func readsEveryNumpyFixture() throws {
        let manifest = try fixtures.jsonObject("arrays/manifest.json")
        let files = manifest["npy"] as! [[String: Any]]
        #expect(files.count == 7)
        for file in files {
            let name = file["file"] as! String
            let shape = file["shape"] as! [Int]
            let array = try NPY.read(path: fixtures.path("arrays/\(name)"))
            #expect(array.shape == shape, "\(name)")
            #expect(
                array.values.doubles
                    == Self.expected(count: shape.reduce(1, *), dtype: file["dtype"] as! String),
                "\(name)")
        }
    }

    @Test func readsOtherNumericTypesWidened() throws {
        let files =
            try fixtures.jsonObject("arrays/manifest.json")["npy_widened"] as! [[String: Any]]
        #expect(files.count == 4)
        for file in files {
            let name = file["file"] as! String
            let shape = file["shape"] as! [Int]
            let bytes = try FileAccess.readAll(fixtures.path("arrays/\(name)"))
            let array = try NPY.decodeWidened(bytes, name: name)
            #expect(array.shape == shape, "\(name)")
            #expect(
                array.values
                    == Self.expected(count: shape.reduce(1, *), dtype: file["dtype"] as! String),
                "\(name)")
            #expect(throws: ImageIOError.self) { try NPY.decode(bytes, name: name) }
        }
    }

    /// complex64, complex128 and longdouble are numeric dtypes: their headers are described with
    /// numpy's names, while reading their data is refused with that name.
    @Test func describesComplexAndLongdoubleHeaders() throws {
        let manifest = try fixtures.jsonObject("arrays/manifest.json")
        let files = manifest["npy_headers_only"] as! [[String: Any]]
        #expect(files.count == 3)
        for file in files {
            let name = file["file"] as! String
            let dtypeName = file["name"] as! String
            let path = fixtures.path("arrays/\(name)")
            let header = try NPY.header(path: path)
            #expect(header.shape == file["shape"] as! [Int], "\(name)")
            #expect(header.dtype == dtypeName, "\(name)")
            let bytes = try FileAccess.readAll(path)
            #expect(try NPY.header(bytes, name: name).dtype == dtypeName)
            for read in [
                { _ = try NPY.decode(bytes, name: name) },
                { _ = try NPY.decodeWidened(bytes, name: name) },
            ] {
                #expect {
                    try read()
                } throws: {
                    "\($0)".hasPrefix("\(name): unsupported: dtype \(dtypeName) ")
                }
            }
        }
    }

    /// A structured dtype (named fields) is named as such, not reported as a missing 'descr'.
    @Test func namesAStructuredDtype() throws {
        let manifest = try fixtures.jsonObject("arrays/manifest.json")
        let structured = manifest["npy_structured"] as! [String: String]
        let name = structured["file"]!
        let message =
            "\(name): unsupported: a structured dtype \(structured["descr"]!) (named fields), which convkit does not read"
        let path = fixtures.path("arrays/\(name)")
        let bytes = try FileAccess.readAll(path)
        for read in [
            { _ = try NPY.header(bytes, name: name) }, { _ = try NPY.decode(bytes, name: name) },
            { _ = try NPY.decodeWidened(bytes, name: name) },
        ] {
            #expect {
                try read()
            } throws: {
                "\($0)" == message
            }
        }
        #expect {
            _ = try NPY.header(path: path)
        } throws: {
            "\($0)" == message.replacingOccurrences(of: name + ":", with: path + ":")
        }
    }

    @Test func writesTheBytesNumpyWrites() throws {
        for name in ["u1-hw", "u2-hwc", "f4-hw", "f8-hwc", "u1-hwc3"] {
            let numpyBytes = try FileAccess.readAll(fixtures.path("arrays/\(name).npy"))
            let array = try NPY.decode(numpyBytes)
            #expect(NPY.encode(array) == numpyBytes, "\(name)")
            // Written to a file, header and values straight from the array's storage.
            let folder = try temporaryFolder("npy-write")
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try NPY.write(array, to: folder + "/\(name).npy")
            #expect(try FileAccess.readAll(folder + "/\(name).npy") == numpyBytes, "\(name)")
        }
    }

    @Test func refusesFortranOrderAndDamage() throws {
        #expect(throws: ImageIOError.self) {
            try NPY.read(path: fixtures.path("arrays/fortran.npy"))
        }
        let bytes = try FileAccess.readAll(fixtures.path("arrays/f4-hw.npy"))
        #expect(throws: ImageIOError.self) {
            try NPY.decode(Array(bytes.dropLast(3)), name: "cut.npy")
        }
        #expect(throws: ImageIOError.self) {
            try NPY.decode(Array(bytes.prefix(9)), name: "cut.npy")
        }
        #expect(throws: ImageIOError.self) {
            try NPY.decode(Array("not npy at all".utf8), name: "x.npy")
        }
    }

    @Test func imagesBecomeArraysWithNumpysShape() throws {
        let image = try ImageFile.read(path: fixtures.path("png/rgb16.png"))
        let array = image.npyArray()
        #expect(array.shape == [5, 7, 3])
        #expect(array.values.dtype == "<u2")
        let back = try ImageFile.image(from: NPY.decode(NPY.encode(array)), name: "x")
        #expect(back.samples == image.samples)
    }

    @Test func readsIDXRawAndGzipped() throws {
        for name in ["images-idx3-ubyte", "images-idx3-ubyte.gz"] {
            let array = try IDX.read(path: fixtures.path("arrays/\(name)"))
            #expect(array.dimensions == [3, 4, 5])
            #expect(array.uint8Values?.map(Double.init) == Self.expected(count: 60, dtype: "|u1"))
        }
        let labels = try IDX.read(path: fixtures.path("arrays/labels-idx1-ubyte"))
        #expect(labels.uint8Values == [7, 2, 1])
    }

    @Test func idxErrorsSayWhatIsWrong() throws {
        let good = try FileAccess.readAll(fixtures.path("arrays/images-idx3-ubyte"))
        var badMagic = good
        badMagic[0] = 1
        #expect(
            throws: ImageIOError.notThisFormat(
                path: "m", expected: "an IDX file (magic must start with two zero bytes)")
        ) {
            try IDX.decode(badMagic, name: "m")
        }
        var badType = good
        badType[2] = 0x42
        #expect(
            throws: ImageIOError.badHeader(path: "t", detail: "0x42 is not an IDX element type")
        ) { try IDX.decode(badType, name: "t") }
        var zeroDimension = good
        zeroDimension[7] = 0
        #expect(throws: ImageIOError.badHeader(path: "z", detail: "dimension 0 has size 0")) {
            try IDX.decode(zeroDimension, name: "z")
        }
        #expect(
            throws: ImageIOError.truncated(
                path: "c", detail: "dimensions [3, 4, 5] need 60 data bytes, found 59")
        ) {
            try IDX.decode(Array(good.dropLast()), name: "c")
        }
        let gz = try FileAccess.readAll(fixtures.path("arrays/images-idx3-ubyte.gz"))
        #expect(throws: ImageIOError.self) {
            try IDX.decode(Array(gz.prefix(gz.count / 2)), name: "half.gz")
        }
    }
}
