// NamedKernels: the kernels of filters/, loaded once from the resource folder.

import Foundation
import NamedKernelFiles

enum NamedKernels {
    /// Every definition in filters/, sorted by name, or the error that stopped loading them.
    static let loaded: Result<[KernelDefinition], KernelError> = Result { try load() }.mapError {
        $0 as? KernelError ?? .badFile(path: "filters", detail: "\($0)")
    }

    private static func load() throws -> [KernelDefinition] {
        guard let folder = NamedKernelFiles.folder else {
            throw KernelError.badFile(
                path: "filters",
                detail:
                    "the named kernel files were not found next to the executable (\(NamedKernelFiles.bundleName)) nor in the source tree"
            )
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter {
            $0.hasSuffix(".kernel")
        }
        return try files.sorted().map { file in
            let path = folder + "/" + file
            let bytes = try KernelArrayFiles.readBytes(path)
            let stem = String(file.dropLast(".kernel".count))
            return try KernelDefinition.parse(
                String(decoding: bytes, as: UTF8.self), name: stem, path: path)
        }
    }

    /// The definition named `name` (case-insensitive), or for a member of a set (`kirsch-n`) a
    /// definition holding just that member.
    static func lookup(_ name: String) throws -> KernelDefinition? {
        let key = name.lowercased()
        let definitions = try loaded.get()
        if let definition = definitions.first(where: { $0.name.lowercased() == key }) {
            return definition
        }
        for definition in definitions where definition.kernels.count > 1 {
            if let member = definition.kernels.first(where: { $0.name.lowercased() == key }) {
                var single = definition
                single.name = member.name
                single.kernels = [member]
                return single
            }
        }
        return nil
    }
}
