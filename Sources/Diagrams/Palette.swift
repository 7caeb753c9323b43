// Palette: turns an RGB picture into at most 256 colours for GIF: the picture's own colours
// when there are few enough, otherwise its dominant colours plus a median-cut quantisation.

/// A picture as palette indices.
struct IndexedPicture {
    /// Colours as `0xRRGGBB`, at most 256.
    var palette: [UInt32]
    /// One palette index per pixel, row by row.
    var indices: [UInt8]
}

enum Palette {
    /// The most colours a GIF palette holds.
    static let capacity = 256

    /// Indexes `pixels` (`0xRRGGBB` values). With at most 256 distinct colours the palette is
    /// exactly those colours; otherwise see ``quantise(counts:)``.
    static func index(_ pixels: [UInt32]) -> IndexedPicture {
        var table = ColorTable()
        for pixel in pixels { table.add(pixel) }
        let counts = table.entries
        let palette: [UInt32]
        if counts.count <= capacity {
            palette = counts.map(\.colour).sorted()
            for (index, colour) in palette.enumerated() {
                table.setValue(Int32(index), for: colour)
            }
        } else {
            palette = quantise(
                counts: Dictionary(uniqueKeysWithValues: counts.map { ($0.colour, $0.count) }))
            let search = NearestColor(palette)
            for entry in counts {
                table.setValue(Int32(search.index(of: entry.colour)), for: entry.colour)
            }
        }
        return IndexedPicture(
            palette: palette,
            indices: pixels.map { UInt8(truncatingIfNeeded: table.value(for: $0)) })
    }

    /// A palette for many colours: the colours covering at least 0.1% of the pixels are kept
    /// exactly (the flat fills of a figure stay true), up to half the palette; the other slots
    /// come from a weighted median cut of the remaining colours (antialiased edges and text).
    static func quantise(counts: [UInt32: Int]) -> [UInt32] {
        let total = counts.values.reduce(0, +)
        let byCount = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let dominant = byCount.prefix { $0.value * 1000 >= total }.prefix(capacity / 2).map(\.key)
        let rest = byCount.dropFirst(dominant.count).map { (colour: $0.key, count: $0.value) }
        return dominant + medianCut(rest, boxes: capacity - dominant.count)
    }

    /// Splits the colours into up to `boxes` boxes, each time halving the box with the widest
    /// channel range at its weighted median, and returns each box's weighted mean colour.
    static func medianCut(_ colours: [(colour: UInt32, count: Int)], boxes limit: Int) -> [UInt32] {
        guard !colours.isEmpty, limit > 0 else { return [] }
        var boxes = [ColorBox(colours)]
        while boxes.count < limit {
            guard let widest = boxes.indices.max(by: { boxes[$0].range < boxes[$1].range }),
                boxes[widest].range > 0
            else {
                break
            }
            let channel = boxes[widest].channel
            let sorted = boxes[widest].entries.sorted {
                component($0.colour, channel) < component($1.colour, channel)
            }
            let half = sorted.reduce(0) { $0 + $1.count } / 2
            var running = 0
            var split = 1
            for (index, entry) in sorted.enumerated() {
                running += entry.count
                if running >= half {
                    split = min(max(index + 1, 1), sorted.count - 1)
                    break
                }
            }
            boxes[widest] = ColorBox(Array(sorted[..<split]))
            boxes.append(ColorBox(Array(sorted[split...])))
        }
        return boxes.map { box in
            var sums = [0.0, 0.0, 0.0]
            var weight = 0.0
            for entry in box.entries {
                for channel in 0..<3 {
                    sums[channel] += Double(component(entry.colour, channel) * entry.count)
                }
                weight += Double(entry.count)
            }
            let mean = sums.map { UInt32(($0 / weight).rounded()) }
            return mean[0] << 16 | mean[1] << 8 | mean[2]
        }
    }

    /// Colours of one median-cut box, with the channel of widest range.
    struct ColorBox {
        let entries: [(colour: UInt32, count: Int)]
        let channel: Int
        let range: Int

        init(_ entries: [(colour: UInt32, count: Int)]) {
            self.entries = entries
            var low = [255, 255, 255]
            var high = [0, 0, 0]
            for entry in entries {
                for c in 0..<3 {
                    let value = Palette.component(entry.colour, c)
                    low[c] = min(low[c], value)
                    high[c] = max(high[c], value)
                }
            }
            let ranges = (0..<3).map { high[$0] - low[$0] }
            let widest = ranges.indices.max { ranges[$0] < ranges[$1] } ?? 0
            channel = widest
            range = entries.count > 1 ? ranges[widest] : 0
        }
    }

    /// The index of the palette colour closest to `colour` (squared RGB distance, first of
    /// equals): the plain reference for ``NearestColor``.
    static func nearest(_ colour: UInt32, in palette: [UInt32]) -> UInt8 {
        var best = 0
        var bestDistance = Int.max
        for (index, candidate) in palette.enumerated() {
            var distance = 0
            for channel in 0..<3 {
                let d = component(colour, channel) - component(candidate, channel)
                distance += d * d
            }
            if distance < bestDistance { (best, bestDistance) = (index, distance) }
        }
        return UInt8(best)
    }

    static func component(_ colour: UInt32, _ channel: Int) -> Int {
        Int((colour >> UInt32(16 - 8 * channel)) & 0xFF)
    }
}

/// Nearest-colour search over a palette sorted by green: starting from the query's green
/// value, it walks outwards and stops on each side once the green difference alone exceeds the
/// best distance found, so a query looks at a few dozen colours instead of all 256. Returns
/// the same index as ``Palette/nearest(_:in:)``.
struct NearestColor {
    private let order: [Int]
    private let greens: [Int]
    private let palette: [UInt32]

    init(_ palette: [UInt32]) {
        self.palette = palette
        order = palette.indices.sorted {
            (Palette.component(palette[$0], 1), $0) < (Palette.component(palette[$1], 1), $1)
        }
        greens = order.map { Palette.component(palette[$0], 1) }
    }

    func index(of colour: UInt32) -> UInt8 {
        let green = Palette.component(colour, 1)
        var low = 0
        var high = greens.count
        while low < high {
            let middle = (low + high) / 2
            if greens[middle] < green { low = middle + 1 } else { high = middle }
        }
        var best = 0
        var bestDistance = Int.max
        func consider(_ position: Int) {
            let candidate = order[position]
            var distance = 0
            for channel in 0..<3 {
                let d =
                    Palette.component(colour, channel)
                    - Palette.component(palette[candidate], channel)
                distance += d * d
            }
            if distance < bestDistance || (distance == bestDistance && candidate < best) {
                (best, bestDistance) = (candidate, distance)
            }
        }
        var up = low
        var down = low - 1
        while up < greens.count || down >= 0 {
            if up < greens.count {
                let d = greens[up] - green
                if d * d > bestDistance {
                    up = greens.count
                } else {
                    consider(up)
                    up += 1
                }
            }
            if down >= 0 {
                let d = green - greens[down]
                if d * d > bestDistance {
                    down = -1
                } else {
                    consider(down)
                    down -= 1
                }
            }
        }
        return UInt8(best)
    }
}

/// An open-addressing hash table from 24-bit colours to a count or a palette index: counting
/// the colours of every frame is the hot loop of GIF encoding, and a general dictionary is
/// several times slower at it.
struct ColorTable {
    private static let empty: UInt32 = 0xFFFF_FFFF
    private var keys = [UInt32](repeating: ColorTable.empty, count: 1024)
    private var values = [Int32](repeating: 0, count: 1024)
    private var shift: UInt32 = 22
    private(set) var count = 0

    /// Counts one more pixel of `colour`.
    mutating func add(_ colour: UInt32) {
        let slot = self.slot(colour)
        if keys[slot] == ColorTable.empty {
            keys[slot] = colour
            count += 1
            if count * 2 > keys.count {
                values[slot] = 1
                grow()
                return
            }
        }
        values[slot] += 1
    }

    /// Every colour with its count.
    var entries: [(colour: UInt32, count: Int)] {
        zip(keys, values).filter { $0.0 != ColorTable.empty }.map { ($0.0, Int($0.1)) }
    }

    /// Replaces the value stored for a colour already in the table.
    mutating func setValue(_ value: Int32, for colour: UInt32) {
        values[slot(colour)] = value
    }

    /// The value stored for `colour` (0 if absent).
    func value(for colour: UInt32) -> Int32 {
        let slot = self.slot(colour)
        return keys[slot] == colour ? values[slot] : 0
    }

    /// The slot holding `colour`, or the empty slot where it would go (linear probing).
    private func slot(_ colour: UInt32) -> Int {
        let mask = keys.count - 1
        var slot = Int((colour &* 0x9E37_79B1) >> shift) & mask
        while keys[slot] != colour && keys[slot] != ColorTable.empty { slot = (slot + 1) & mask }
        return slot
    }

    private mutating func grow() {
        let old = entries
        keys = [UInt32](repeating: ColorTable.empty, count: keys.count * 2)
        values = [Int32](repeating: 0, count: keys.count)
        shift -= 1
        for entry in old {
            let slot = self.slot(entry.colour)
            keys[slot] = entry.colour
            values[slot] = Int32(entry.count)
        }
    }
}
