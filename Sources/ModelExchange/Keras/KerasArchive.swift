// KerasArchive: the members of a Keras 3 `.keras` file (a zip), read with ZIPFoundation.

import Foundation
import ZIPFoundation

/// A `.keras` file: a zip archive holding `config.json` (the architecture), `model.weights.h5`
/// (the weights, HDF5) and `metadata.json` (the Keras version). Sharded weights are refused.
struct KerasArchive {
    var config: [UInt8]
    var weights: [UInt8]

    /// The largest member read: 2 GiB, far above any model convkit can run.
    static let maximumMemberSize = 1 << 31

    /// Reads the archive's members from its bytes; `path` names the file in errors.
    init(bytes: [UInt8], path: String) throws {
        let archive: Archive
        do {
            archive = try Archive(data: Data(bytes), accessMode: .read)
        } catch {
            throw ModelExchangeError.unreadable(
                path: path, detail: "not a readable zip archive (truncated or damaged): \(error)")
        }
        func member(_ name: String) throws -> [UInt8] {
            guard let entry = archive[name] else {
                let names = archive.map(\.path).prefix(8).joined(separator: ", ")
                throw ModelExchangeError.unreadable(
                    path: path,
                    detail:
                        "the archive has no \(name), so it is not a Keras 3 .keras file (it holds: \(names))"
                )
            }
            guard entry.uncompressedSize <= UInt64(KerasArchive.maximumMemberSize) else {
                throw ModelExchangeError.unreadable(
                    path: path, detail: "\(name) is \(entry.uncompressedSize) bytes, too large")
            }
            var bytes = [UInt8]()
            bytes.reserveCapacity(Int(entry.uncompressedSize))
            let checksum: CRC32
            do {
                checksum = try archive.extract(entry) { chunk in
                    guard bytes.count + chunk.count <= Int(entry.uncompressedSize) else {
                        throw ModelExchangeError.unreadable(
                            path: path, detail: "\(name) is longer than its header says")
                    }
                    bytes.append(contentsOf: chunk)
                }
            } catch let error as ModelExchangeError {
                throw error
            } catch {
                throw ModelExchangeError.unreadable(
                    path: path, detail: "cannot extract \(name) (damaged archive): \(error)")
            }
            // The stored CRC-32 is the only check on a stored (uncompressed) member's bytes: a
            // flipped byte in the weights would otherwise load as a different weight.
            guard bytes.count == Int(entry.uncompressedSize), checksum == entry.checksum else {
                throw ModelExchangeError.unreadable(
                    path: path,
                    detail:
                        "\(name) is damaged: its bytes do not match the archive's CRC-32 or size")
            }
            return bytes
        }
        if archive["data.pkl"] != nil || archive.contains(where: { $0.path.hasSuffix("/data.pkl") })
        {
            throw ModelExchangeError.unsupported(
                path: path,
                detail:
                    "a PyTorch pickle checkpoint; convkit reads state dicts saved with safetensors.torch.save_file"
            )
        }
        if archive["model.weights.json"] != nil {
            throw ModelExchangeError.unsupported(
                path: path, detail: "the weights are sharded; save the model without max_shard_size"
            )
        }
        config = try member("config.json")
        weights = try member("model.weights.h5")
    }
}
