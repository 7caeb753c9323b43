// JSONOutput: how every `--json` flag prints its document: indented, keys sorted, slashes in
// paths left as they are.

import Foundation

/// Prints a JSON document (dictionaries, arrays, strings, numbers) to standard output.
func printJSON(_ object: Any) throws {
    let bytes = try JSONSerialization.data(
        withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    print(String(decoding: bytes, as: UTF8.self))
}
