// KernelsCommandTests: `convkit kernels` and `convkit kernels show`, run from a folder that is not
// the package, so named kernels must come from the installed resource bundle.

import Foundation
import Testing

@Suite struct KernelsCommandTests {
    /// Runs convkit from a fresh empty folder, so nothing can resolve relative to the package.
    private func runElsewhere(_ arguments: [String]) throws -> CLIResult {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try CLI.run(arguments, in: folder)
    }

    @Test func listsNamedKernelsAndFamiliesFromAnotherFolder() throws {
        let result = try runElsewhere(["kernels"])
        #expect(result.status == 0, "\(result.stderr)")
        let names = [
            "identity", "box3", "box5", "gaussian3", "gaussian5", "sharpen", "unsharp", "emboss",
            "edge",
            "laplacian-4", "laplacian-8", "sobel-x", "sobel-y", "scharr-x", "scharr-y", "prewitt-x",
            "prewitt-y",
            "roberts-x", "roberts-y", "kirsch", "tutorial-horizontal",
        ]
        for name in names {
            #expect(result.output.contains("  \(name) "), "\(name) missing from the list")
        }
        #expect(result.output.contains("kirsch               8 x 3x3"))
        for syntax in [
            "gaussian:SIZE[,SIGMA]", "box:N", "log:SIZE,SIGMA", "dog:SIZE,SIGMA1,SIGMA2",
            "disk:RADIUS",
        ] {
            #expect(result.output.contains(syntax))
        }
    }

    /// An installed copy (the binary with its resource bundle beside it, anywhere) reads the
    /// bundle next to itself: a weight changed in that copy of sobel-x.kernel shows up.
    @Test func installedCopyReadsTheBundleBesideIt() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let buildFolder = (CLI.executable as NSString).deletingLastPathComponent
        let bundle = "convkit_NamedKernelFiles.resources"
        try FileManager.default.copyItem(atPath: CLI.executable, toPath: folder + "/convkit")
        try FileManager.default.copyItem(
            atPath: buildFolder + "/" + bundle, toPath: folder + "/" + bundle)
        let kernelFile = folder + "/" + bundle + "/sobel-x.kernel"
        let text = try String(contentsOfFile: kernelFile, encoding: .utf8)
        try text.replacingOccurrences(of: "-2 0 2", with: "-7 0 7").write(
            toFile: kernelFile, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: folder + "/convkit")
        process.arguments = ["kernels", "show", "sobel-x", "--json"]
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let weights = (object["kernels"] as? [[String: Any]])?.first?["weights"] as? [[Double]]
        #expect(weights?[1] == [-7, 0, 7])
    }

    @Test func listJSON() throws {
        let result = try runElsewhere(["kernels", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let named = try #require(object["named"] as? [[String: Any]])
        let sobel = try #require(named.first { $0["name"] as? String == "sobel-x" })
        #expect(sobel["rows"] as? Int == 3 && sobel["columns"] as? Int == 3)
        #expect((sobel["source"] as? String)?.contains("cv2.getDerivKernels") == true)
        let kirsch = try #require(named.first { $0["name"] as? String == "kirsch" })
        #expect((kirsch["members"] as? [String])?.count == 8)
        #expect((object["families"] as? [[String: Any]])?.count == 5)
    }

    @Test func showPrintsMatrixSumAndFactors() throws {
        let result = try runElsewhere(["kernels", "show", "sobel-x"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.output.contains(
                """
                3x3 (width x height)
                  -1  0  1
                  -2  0  2
                  -1  0  1
                sum: 0 (zero-sum: an edge or derivative detector)
                separable: yes, exactly: column [1, 2, 1] x row [-1, 0, 1]
                """))
        let gaussian = try runElsewhere(["kernels", "show", "gaussian3"])
        #expect(
            gaussian.output.contains(
                "3x3 (width x height), 1/16 x\n  1 2 1\n  2 4 2\n  1 2 1\nsum: 1\n"
                    + "separable: yes, exactly: 1/16 x column [1, 2, 1] x row [1, 2, 1]"))
        let laplacian = try runElsewhere(["kernels", "show", "[[0,1,0],[1,-4,1],[0,1,0]]"])
        #expect(laplacian.output.contains("separable: no"))
        let log = try runElsewhere(["kernels", "show", "log:5,0.5"])
        #expect(log.output.contains("rounded to 6 significant digits"))
    }

    @Test func showSetAndJSON() throws {
        let set = try runElsewhere(["kernels", "show", "kirsch"])
        #expect(set.status == 0)
        #expect(set.output.components(separatedBy: "\nkirsch-").count == 9)
        let result = try runElsewhere(["kernels", "show", "--json", "3x2: 1,2,3,2,4,6"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let kernel = try #require((object["kernels"] as? [[String: Any]])?.first)
        #expect(kernel["rows"] as? Int == 2 && kernel["columns"] as? Int == 3)
        #expect(kernel["weights"] as? [[Double]] == [[1, 2, 3], [2, 4, 6]])
        #expect(kernel["separable"] as? Bool == true)
        // Whole-number weights get whole-number factors, reproducing every weight exactly.
        #expect(kernel["column_factor"] as? [Double] == [1, 2])
        #expect(kernel["row_factor"] as? [Double] == [1, 2, 3])
        #expect(kernel["separable_exactly"] as? Bool == true)
    }

    /// The text of a kernel larger than 25x25 is summarised, but JSON always holds every weight
    /// and both factors: box:26x27 is 27 rows of 26 weights 1/702.
    @Test func jsonHasTheWeightsOfLargeKernels() throws {
        let result = try runElsewhere(["kernels", "show", "box:26x27", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let kernel = try #require((object["kernels"] as? [[String: Any]])?.first)
        let weight = 1.0 / 702
        // convkit writes 0.0014245014245014246 (1/702 to the last bit), but Foundation's JSON
        // parser may read a few units in the last place off.
        let weights = try #require(kernel["weights"] as? [[Double]])
        #expect(weights.count == 27 && weights.allSatisfy { $0.count == 26 })
        #expect(weights.joined().allSatisfy { abs($0 - weight) <= 1e-15 * weight })
        let column = try #require(kernel["column_factor"] as? [Double])
        let row = try #require(kernel["row_factor"] as? [Double])
        #expect(column.count == 27 && row.count == 26)
        #expect(column.allSatisfy { abs($0 * row[0] - weight) <= 1e-15 * weight })
        let text = try runElsewhere(["kernels", "show", "box:26x27"])
        #expect(text.output.contains("702 values, all 0.0014245 (--full prints every weight)"))
    }

    @Test func showReadsFilesRelativeToTheWorkingFolder() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "3 1 2 0\n1 2 1\n".write(toFile: folder + "/k.mat", atomically: true, encoding: .utf8)
        let result = try CLI.run(["kernels", "show", "k.mat"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.output.contains("3x1 (width x height), 1/2 x\n  1 2 1\n"))
    }

    @Test func mistypedKernelsAreOneLineWithStatus2() throws {
        let unknown = try runElsewhere(["kernels", "show", "sobelx"])
        #expect(unknown.status == 2)
        #expect(
            unknown.stderr
                == "convkit: error: unknown kernel 'sobelx'; did you mean sobel-x, sobel-y? ('convkit kernels' lists the named kernels and families) (see 'convkit kernels show --help')\n"
        )
        let malformed = try runElsewhere(["kernels", "show", "3x3: -1,0,1,-2,O,2,-1,0,1"])
        #expect(malformed.status == 2)
        #expect(
            malformed.stderr
                == "convkit: error: kernel '3x3: -1,0,1,-2,O,2,-1,0,1': entry 5 (row 2, column 2) 'O' is not a number (see 'convkit kernels show --help')\n"
        )
        let missing = try runElsewhere(["kernels", "show", "missing.npy"])
        #expect(
            missing.stderr
                == "convkit: error: missing.npy: cannot read: No such file or directory\n")
        let tolerance = try runElsewhere(["kernels", "show", "box3", "--tolerance", "-1"])
        #expect(tolerance.status == 2)
    }
}
