// ClassLabels: how figures name classes along an axis, where each label has a cell or bar's width.

/// The labels of classes written along a figure's axis.
package enum ClassLabels {
    /// The class names when every one is at most 3 characters long, else the class indices
    /// (`0`, `1`, ...): cut names could all read alike (`kla` for `klasse_1`, `klasse_2`, ...).
    package static func axis(_ names: [String]) -> [String] {
        names.allSatisfy { $0.count <= 3 } ? names : names.indices.map(String.init)
    }
}
