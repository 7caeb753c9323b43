// SafeTensors: reading and writing the safetensors format (JSON header + little-endian float32).

import Foundation
import ImageIO

/// A safetensors file: named float32 tensors, int64 scalars (``counters``) and string metadata.
/// Layout: 8-byte little-endian
/// header length, a JSON header (`{"__metadata__": {...}, "name": {"dtype": "F32", "shape": [...],
/// "data_offsets": [begin, end]}}`), padded with spaces to a multiple of 8, then the data.
/// numpy (`safetensors.numpy.load_file`) and PyTorch read it directly.
public struct SafeTensorsFile: Equatable, Sendable {
    /// Tensors by name, in file order.
    public var tensors: [(name: String, tensor: Tensor)]
    /// The `__metadata__` strings.
    public var metadata: [String: String]
    /// Int64 scalars (dtype `I64`, shape `[]`) by name, such as PyTorch's
    /// `num_batches_tracked`; written after the tensors.
    public var counters: [String: Int64]

    /// A file of `tensors` (written in this order), `metadata` and Int64 `counters`.
    public init(
        tensors: [(name: String, tensor: Tensor)], metadata: [String: String],
        counters: [String: Int64] = [:]
    ) {
        self.tensors = tensors
        self.metadata = metadata
        self.counters = counters
    }

    /// Same metadata, and the same tensors in the same order.
    public static func == (a: SafeTensorsFile, b: SafeTensorsFile) -> Bool {
        a.metadata == b.metadata && a.tensors.map(\.name) == b.tensors.map(\.name)
            && a.tensors.map(\.tensor) == b.tensors.map(\.tensor) && a.counters == b.counters
    }

    /// The tensor called `name`.
    public subscript(name: String) -> Tensor? {
        tensors.first { $0.name == name }?.tensor
    }

    /// The file's bytes.
    public func encoded() throws -> [UInt8] {
        var header = [String: Any]()
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, tensor) in tensors {
            let size = tensor.values.count * 4
            header[name] =
                ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + size]]
                as [String: Any]
            offset += size
        }
        let counterNames = counters.keys.sorted()
        for name in counterNames {
            header[name] =
                ["dtype": "I64", "shape": [Int](), "data_offsets": [offset, offset + 8]]
                as [String: Any]
            offset += 8
        }
        var json = Array(
            try JSONSerialization.data(
                withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes]))
        while json.count % 8 != 0 { json.append(0x20) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: json)
        for (_, tensor) in tensors {
            for value in tensor.values {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
        }
        for name in counterNames {
            withUnsafeBytes(of: counters[name]!.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// Writes the file atomically.
    public func write(to path: String) throws {
        try FileAccess.writeAtomically(encoded(), to: path)
    }

    /// Reads and checks a safetensors file holding F32 tensors (and I64 scalars); errors name
    /// the file.
    public static func read(path: String) throws -> SafeTensorsFile {
        try decode(FileAccess.readAll(path), name: path)
    }

    /// Decodes safetensors bytes; `name` is used in error messages.
    public static func decode(_ bytes: [UInt8], name: String) throws -> SafeTensorsFile {
        func bad(_ detail: String) -> LearnedFiltersError { .badModel(path: name, detail: detail) }
        guard bytes.count >= 8 else {
            throw bad("too short for a safetensors file (\(bytes.count) bytes)")
        }
        var length: UInt64 = 0
        for index in 0..<8 { length |= UInt64(bytes[index]) << (8 * UInt64(index)) }
        guard length <= UInt64(bytes.count - 8) else {
            throw bad("header length \(length) exceeds the file size \(bytes.count)")
        }
        let dataStart = 8 + Int(length)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart])),
            let header = object as? [String: Any]
        else {
            throw bad("the header is not a JSON object (not a safetensors file)")
        }
        var metadata = [String: String]()
        if let meta = header["__metadata__"] {
            guard let strings = meta as? [String: String] else {
                throw bad("__metadata__ must map strings to strings")
            }
            metadata = strings
        }
        var entries = [(name: String, dtype: String, begin: Int, end: Int, shape: [Int])]()
        var counters = [String: Int64]()
        for (key, value) in header where key != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int],
                offsets.count == 2
            else {
                throw bad("tensor '\(key)' has no valid dtype, shape and data_offsets")
            }
            if dtype == "I64", shape.isEmpty, offsets[0] >= 0, offsets[1] - offsets[0] == 8,
                offsets[1] <= bytes.count - dataStart
            {
                var value: UInt64 = 0
                for index in 0..<8 {
                    value |= UInt64(bytes[dataStart + offsets[0] + index]) << (8 * UInt64(index))
                }
                counters[key] = Int64(bitPattern: value)
                continue
            }
            guard let size = Self.floatSizes[dtype] else {
                throw bad(
                    "tensor '\(key)' is \(dtype); convkit reads F32, F16, BF16 and F64 tensors and I64 scalars"
                )
            }
            guard shape.allSatisfy({ $0 >= 0 && $0 <= 1 << 30 }) else {
                throw bad("tensor '\(key)' has an invalid shape \(shape)")
            }
            let (count, overflow) = shape.reduce((1, false)) { partial, dim in
                let (product, flag) = partial.0.multipliedReportingOverflow(by: dim)
                return (product, partial.1 || flag || product > 1 << 30)
            }
            guard !overflow, offsets[0] >= 0, offsets[1] - offsets[0] == count * size,
                offsets[1] <= bytes.count - dataStart
            else {
                throw bad(
                    "tensor '\(key)' shape \(shape) does not match its data offsets \(offsets) in a \(bytes.count - dataStart)-byte data section"
                )
            }
            entries.append((key, dtype, offsets[0], offsets[1], shape))
        }
        entries.sort { $0.begin < $1.begin }
        let tensors = try entries.map { entry in
            guard
                let values = Self.floats(
                    bytes, from: dataStart + entry.begin, count: entry.shape.reduce(1, *),
                    dtype: entry.dtype)
            else {
                throw bad(
                    "tensor '\(entry.name)' holds F64 values beyond float32's range (\(Float.greatestFiniteMagnitude))"
                )
            }
            return (name: entry.name, tensor: Tensor(shape: entry.shape, values: values))
        }
        return SafeTensorsFile(tensors: tensors, metadata: metadata, counters: counters)
    }

    /// The floating-point dtypes read, with their sizes in bytes. Each is converted to Float on
    /// reading: F16 and BF16 exactly, F64 rounded to the nearest Float, as PyTorch's
    /// `tensor.float()` does.
    static let floatSizes = ["F32": 4, "F16": 2, "BF16": 2, "F64": 8]

    /// `count` little-endian values of `dtype` (a key of ``floatSizes``) from `bytes[start...]`;
    /// nil when a finite F64 value is beyond Float's range.
    static func floats(_ bytes: [UInt8], from start: Int, count: Int, dtype: String) -> [Float]? {
        let size = floatSizes[dtype] ?? 4
        func bits(_ index: Int) -> UInt64 {
            var value: UInt64 = 0
            for byte in 0..<size {
                value |= UInt64(bytes[start + index * size + byte]) << (8 * UInt64(byte))
            }
            return value
        }
        var values = [Float](repeating: 0, count: count)
        for index in 0..<count {
            switch dtype {
            case "F16": values[index] = Float(Float16(bitPattern: UInt16(bits(index))))
            case "BF16": values[index] = Float(bitPattern: UInt32(bits(index)) << 16)
            case "F64":
                let double = Double(bitPattern: bits(index))
                values[index] = Float(double)
                if double.isFinite && values[index].isInfinite { return nil }
            default: values[index] = Float(bitPattern: UInt32(bits(index)))
            }
        }
        return values
    }
}
