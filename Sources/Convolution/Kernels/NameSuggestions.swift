// NameSuggestions: the known names closest to a misspelt one, for "did you mean" messages.

package enum NameSuggestions {
    /// Up to `limit` names from `candidates` close to `name`: those containing it or contained
    /// in it, those that start as it does but for its last two letters (`laplace`:
    /// `laplacian-4`), and those within an edit distance of about a third of its length,
    /// closest first.
    package static func closest(to name: String, in candidates: [String], limit: Int = 4)
        -> [String]
    {
        let key = Array(name.lowercased())
        let allowed = max(2, key.count / 3)
        var scored = [(distance: Int, name: String)]()
        for candidate in candidates {
            let lower = candidate.lowercased()
            let shared = zip(key, lower).prefix { $0 == $1 }.count
            let related =
                key.count >= 3 && (lower.contains(String(key)) || String(key).contains(lower))
                || shared >= max(4, key.count - 2)
            // The length difference is a lower bound of the distance: skip hopeless candidates.
            if !related && abs(lower.count - key.count) > allowed { continue }
            let distance = editDistance(key, Array(lower))
            if distance <= allowed || related {
                scored.append((related ? min(distance, allowed) : distance, candidate))
            }
        }
        return scored.sorted { ($0.distance, $0.name) < ($1.distance, $1.name) }.prefix(limit).map(
            \.name)
    }

    /// Levenshtein distance (insertions, deletions, substitutions).
    package static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            previous = current
        }
        return previous[b.count]
    }
}
