// HDF5File: an HDF5 file held in memory, read through the CHDF5 shim (groups, shapes, float32).

import CHDF5

/// A read-only HDF5 file opened from its bytes. Paths are HDF5 paths (`layers/conv2d/vars/0`);
/// only hard links are followed. Errors are ``ModelExchangeError/unreadable(path:detail:)``
/// naming `name` (the file, or `archive.keras/model.weights.h5`) and the object.
final class HDF5File {
    /// What is at a path.
    enum Kind {
        case none, group, dataset, other
    }

    private let file: OpaquePointer
    /// The file's name in error messages.
    let name: String

    /// Opens `bytes` as an HDF5 file.
    init(bytes: [UInt8], name: String) throws {
        self.name = name
        var handle: OpaquePointer?
        var message = [CChar](repeating: 0, count: 512)
        let status = bytes.withUnsafeBufferPointer { buffer in
            ch5_open_image(buffer.baseAddress, buffer.count, &handle, &message, message.count)
        }
        guard status == Int32(CH5_OK.rawValue), let handle else {
            let reason = HDF5File.text(message)
            throw ModelExchangeError.unreadable(
                path: name,
                detail: status == Int32(CH5_NOT_HDF5.rawValue)
                    ? "not an HDF5 file (\(reason))" : "damaged HDF5 file: \(reason)")
        }
        file = handle
    }

    deinit { ch5_close(file) }

    private static func text(_ message: [CChar]) -> String {
        let bytes = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs a shim call that fills a message buffer; throws naming `path` unless it returns OK.
    private func check(_ path: String, _ call: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
        var message = [CChar](repeating: 0, count: 512)
        let status = message.withUnsafeMutableBufferPointer { call($0.baseAddress!, $0.count) }
        guard status == Int32(CH5_OK.rawValue) else {
            throw ModelExchangeError.unreadable(
                path: name, detail: "HDF5 object '\(path)': \(HDF5File.text(message))")
        }
    }

    /// What is at `path`.
    func kind(_ path: String) throws -> Kind {
        var kind: Int32 = 0
        try check(path) { ch5_kind(file, path, &kind, $0, $1) }
        switch UInt32(kind) {
        case CH5_KIND_GROUP.rawValue: return .group
        case CH5_KIND_DATASET.rawValue: return .dataset
        case CH5_KIND_NONE.rawValue: return .none
        default: return .other
        }
    }

    /// The names of the links in the group at `path`, in increasing name order.
    func children(_ path: String) throws -> [String] {
        var count: UInt64 = 0
        try check(path) { ch5_group_size(file, path, &count, $0, $1) }
        guard count <= 1 << 16 else {
            throw ModelExchangeError.unreadable(
                path: name, detail: "HDF5 group '\(path)' has \(count) members, too many")
        }
        return try (0..<count).map { index in
            var buffer = [CChar](repeating: 0, count: 1024)
            try check(path) { ch5_child_name(file, path, index, &buffer, buffer.count, $0, $1) }
            return HDF5File.text(buffer)
        }
    }

    /// The shape of the floating-point dataset at `path`.
    func shape(_ path: String) throws -> [Int] {
        var rank: Int32 = 0
        var dims = [UInt64](repeating: 0, count: Int(CH5_MAX_RANK))
        try check(path) { ch5_dataset_shape(file, path, &rank, &dims, $0, $1) }
        let shape = dims.prefix(Int(rank))
        guard shape.allSatisfy({ $0 <= 1 << 30 }) else {
            throw ModelExchangeError.unreadable(
                path: name, detail: "HDF5 dataset '\(path)' has an impossible shape \(shape)")
        }
        return shape.map { Int($0) }
    }

    /// The values of the floating-point dataset at `path` as float32, with its shape; at most
    /// `limit` values are read (a larger dataset is an error, not an allocation).
    func floats(_ path: String, limit: Int) throws -> (shape: [Int], values: [Float]) {
        let shape = try self.shape(path)
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, product <= limit else {
                throw ModelExchangeError.unreadable(
                    path: name,
                    detail:
                        "HDF5 dataset '\(path)' of shape \(shape) is larger than \(limit) values"
                )
            }
            count = product
        }
        var values = [Float](repeating: 0, count: count)
        try check(path) { message, size in
            values.withUnsafeMutableBufferPointer {
                ch5_read_float32(file, path, $0.baseAddress, UInt64(count), message, size)
            }
        }
        return (shape, values)
    }

    /// The strings of the attribute `attribute` of the object at `path` (one for a scalar
    /// string), or nil when it has no such attribute. At most 16 MB of text is read.
    func strings(attribute: String, at path: String) throws -> [String]? {
        var capacity = 4096
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            var count: UInt64 = 0
            var used = 0
            var message = [CChar](repeating: 0, count: 512)
            let status = ch5_attribute_strings(
                file, path, attribute, &buffer, buffer.count, &count, &used, &message,
                message.count)
            switch UInt32(status) {
            case CH5_OK.rawValue:
                let bytes = buffer.prefix(used).map { UInt8(bitPattern: $0) }
                return bytes.split(separator: 0, omittingEmptySubsequences: false).prefix(
                    Int(count)
                )
                .map { String(decoding: $0, as: UTF8.self) }
            case CH5_MISSING.rawValue: return nil
            case CH5_SIZE_MISMATCH.rawValue where used > capacity && used <= 16 << 20:
                capacity = used
            default:
                throw ModelExchangeError.unreadable(
                    path: name,
                    detail: "HDF5 attribute '\(attribute)' of '\(path)': \(HDF5File.text(message))")
            }
        }
    }
}
