// NamedKernelFiles: finds the folder of named-kernel text files (the *.kernel files beside this
// one) at run time, so `--kernel NAME` works from any working directory.
//
// To add a named kernel: write NAME.kernel here (format in Sources/Convolution/Kernels/
// KernelFile.swift, with name, description, source and orientation), add NAME to the resource
// list of this target in Package.swift, and add its reference weights to
// scripts/make-kernel-fixtures.py; the kernel tests fail until all three agree.

import Foundation

/// Where the `.kernel` files of filters/ are at run time.
public enum NamedKernelFiles {
    /// The name of the resource bundle the package manager builds from this folder; it sits next
    /// to the `convkit` executable (and next to the test executable).
    public static let bundleName = "convkit_NamedKernelFiles.resources"

    /// The folder holding the `.kernel` files: the resource bundle next to the running
    /// executable, or else this source folder (a binary run from its build tree). `nil` if
    /// neither exists. Unlike `Bundle.module`, a missing bundle is an error the caller reports,
    /// not a crash.
    public static let folder: String? = {
        var candidates = [String]()
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append((executable as NSString).deletingLastPathComponent + "/" + bundleName)
        }
        candidates.append(Bundle.main.bundlePath + "/" + bundleName)
        if let resources = Bundle.main.resourcePath { candidates.append(resources + "/" + bundleName) }
        candidates.append((#filePath as NSString).deletingLastPathComponent)
        return candidates.first { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path + "/identity.kernel", isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }()
}
