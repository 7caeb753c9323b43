// TemporaryFiles: remembers half-written temporary files so a signal handler can remove them.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The temporary files that atomic writes have open right now.
///
/// The CLI's SIGINT/SIGTERM handler calls ``removeAllNow()`` so that an interrupted run leaves
/// no partial file behind. Paths are kept as C strings in fixed slots, so removal needs neither
/// allocation nor locks and is safe inside a signal handler.
package enum TemporaryFiles {
    private static let slotCount = 64
    private static let slotSize = 4096
    nonisolated(unsafe) private static let slots: UnsafeMutablePointer<CChar> = {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: slotCount * slotSize)
        pointer.initialize(repeating: 0, count: slotCount * slotSize)
        return pointer
    }()
    nonisolated(unsafe) private static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let pointer = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(pointer, nil)
        return pointer
    }()

    static func register(_ path: String) {
        let bytes = Array(path.utf8)
        guard bytes.count < slotSize else { return }
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        for slot in 0..<slotCount where slots[slot * slotSize] == 0 {
            let base = slots + slot * slotSize
            // The first byte marks the slot as used, so it is written last.
            base[bytes.count] = 0
            for (offset, byte) in bytes.enumerated().reversed() {
                base[offset] = CChar(bitPattern: byte)
            }
            return
        }
    }

    static func unregister(_ path: String) {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        for slot in 0..<slotCount where String(cString: slots + slot * slotSize) == path {
            slots[slot * slotSize] = 0
        }
    }

    /// Unlinks every registered temporary file. Async-signal-safe.
    package static func removeAllNow() {
        for slot in 0..<slotCount where slots[slot * slotSize] != 0 {
            unlink(slots + slot * slotSize)
        }
    }
}
