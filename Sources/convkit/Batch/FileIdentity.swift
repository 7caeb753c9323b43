// FileIdentity: a file's device and inode, which name it whatever path or link reaches it.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The device and inode of a file or folder: two paths name the same one when these agree.
struct FileIdentity: Hashable {
    let device: UInt64
    let inode: UInt64

    /// The identity of what `path` names (through symbolic links), or nil if there is nothing.
    init?(of path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        self.init(status)
    }

    /// The identity in a `stat` result.
    init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }
}
