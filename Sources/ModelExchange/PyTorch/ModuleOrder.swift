// ModuleOrder: the order in which a state dict's modules are matched to the layers with weights.

/// A safetensors state dict does not keep the order in which the model ran its modules, so it
/// is found from their names.
///
/// Modules are taken in the order of their names, numbers compared as numbers, as
/// `nn.Sequential` numbers them (`2` before `10`). A model class names its parts instead, and
/// those names need not sort in the order the model runs them (`features` then `classifier`).
/// So when the name order does not fit the layers' shapes, every order of the top-level names
/// (up to ``maximumParts``) is tried, and the one order under which every shape fits is taken.
enum ModuleOrder {
    /// The most top-level names whose orders are tried (720 orders).
    static let maximumParts = 6

    /// The modules in the order the layers take them, and a note when it is not the order of
    /// their names; nil when no order, or more than one, fits (the caller then reports the
    /// name order's first mismatch). `fits` tells whether an order fits every layer's shapes.
    static func resolve(_ modules: [String], fits: ([String]) -> Bool) -> (
        order: [String], note: String?
    )? {
        let named = modules.sorted(by: naturalOrder)
        if fits(named) { return (named, nil) }
        var parts = [String]()
        for module in named where !parts.contains(part(module)) { parts.append(part(module)) }
        guard parts.count > 1, parts.count <= maximumParts else { return nil }
        func grouped(_ order: [String]) -> [String] {
            order.flatMap { top in named.filter { part($0) == top } }
        }
        let fitting = orders(of: parts).filter { fits(grouped($0)) }
        guard fitting.count == 1, let order = fitting.first else { return nil }
        return (
            grouped(order),
            "the modules' names sort as \(parts.joined(separator: ", ")), an order that does not fit the architecture; they are taken in the one order that fits: \(order.joined(separator: ", "))"
        )
    }

    /// `a` before `b` with dotted parts compared as numbers where both are numbers.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        let left = a.split(separator: ".", omittingEmptySubsequences: false)
        let right = b.split(separator: ".", omittingEmptySubsequences: false)
        for (x, y) in zip(left, right) where x != y {
            if let i = Int(x), let j = Int(y) { return i < j }
            return x < y
        }
        return left.count < right.count
    }

    /// The top-level name of a module (`features` of `features.0`).
    private static func part(_ module: String) -> String {
        String(module.prefix { $0 != "." })
    }

    /// Every order of `items`.
    private static func orders(of items: [String]) -> [[String]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { index in
            var rest = items
            let first = rest.remove(at: index)
            return orders(of: rest).map { [first] + $0 }
        }
    }
}
