// ColorMap and ColorScale: values to colours (grey, viridis, diverging blue-white-red).

import ImageIO

/// A colour map from `0...1` to colours, with matplotlib's sampling: 256 entries, entry
/// `min(255, floor(t * 256))`, so figures match matplotlib's `cmap(t)` for the same map.
public enum ColorMap: String, Sendable, CaseIterable {
    /// Black to white (matplotlib `gray`).
    case grey
    /// Perceptually uniform dark blue to yellow (matplotlib `viridis`, its published table).
    case viridis
    /// Blue through near-white to red for signed values (matplotlib `RdBu_r`, the ColorBrewer
    /// RdBu scheme reversed); pair it with a symmetric ``ColorScale`` so 0 is the middle.
    case diverging

    /// The colour at `t`, clamped to `0...1`; NaN maps to the lowest entry.
    public func color(at t: Double) -> Color {
        let clamped = t.isNaN ? 0 : min(max(t, 0), 1)
        let index = min(255, Int(clamped * 256))
        switch self {
        case .grey:
            let level = Double(index) / 255
            return Color(red: level, green: level, blue: level)
        case .viridis:
            return ColorMap.viridisTable[index]
        case .diverging:
            return ColorMap.divergingTable[index]
        }
    }

    /// matplotlib's viridis table, 256 colours as `RRGGBB`, rounded to 8 bits.
    private static let viridisTable: [Color] = {
        let hex = Array(viridisHex.joined().utf8)
        return (0..<256).map { entry in
            var value: UInt32 = 0
            for digit in hex[(entry * 6)..<(entry * 6 + 6)] {
                let nibble = digit <= 57 ? digit - 48 : digit - 55
                value = value << 4 | UInt32(nibble)
            }
            return Color(hex: value)
        }
    }()

    /// ColorBrewer RdBu's eleven points from blue to red, interpolated linearly at `i / 255`
    /// as matplotlib's `LinearSegmentedColormap` does.
    private static let divergingTable: [Color] = {
        let stops: [UInt32] = [
            0x053061, 0x2166AC, 0x4393C3, 0x92C5DE, 0xD1E5F0, 0xF7F7F7,
            0xFDDBC7, 0xF4A582, 0xD6604D, 0xB2182B, 0x67001F,
        ]
        let colors = stops.map { Color(hex: $0) }
        return (0..<256).map { entry in
            let position = Double(entry) / 255 * Double(colors.count - 1)
            let low = min(Int(position), colors.count - 2)
            let f = position - Double(low)
            let a = colors[low]
            let b = colors[low + 1]
            return Color(
                red: a.red + (b.red - a.red) * f, green: a.green + (b.green - a.green) * f,
                blue: a.blue + (b.blue - a.blue) * f)
        }
    }()

    private static let viridisHex = [
        "44015444025645045745055946075A46085C460A5D460B5E470D60470E61471063471164471365481467481668481769",
        "48186A481A6C481B6D481C6E481D6F481F70482071482173482374482475482576482677482878482979472A7A472C7A",
        "472D7B472E7C472F7D46307E46327E46337F463480453581453781453882443983443A83443B84433D84433E85423F85",
        "4240864241864142874144874045884046883F47883F48893E49893E4A893E4C8A3D4D8A3D4E8A3C4F8A3C508B3B518B",
        "3B528B3A538B3A548C39558C39568C38588C38598C375A8C375B8D365C8D365D8D355E8D355F8D34608D34618D33628D",
        "33638D32648E32658E31668E31678E31688E30698E306A8E2F6B8E2F6C8E2E6D8E2E6E8E2E6F8E2D708E2D718E2C718E",
        "2C728E2C738E2B748E2B758E2A768E2A778E2A788E29798E297A8E297B8E287C8E287D8E277E8E277F8E27808E26818E",
        "26828E26828E25838E25848E25858E24868E24878E23888E23898E238A8D228B8D228C8D228D8D218E8D218F8D21908D",
        "21918C20928C20928C20938C1F948C1F958B1F968B1F978B1F988B1F998A1F9A8A1E9B8A1E9C891E9D891F9E891F9F88",
        "1FA0881FA1881FA1871FA28720A38620A48621A58521A68522A78522A88423A98324AA8325AB8225AC8226AD8127AD81",
        "28AE8029AF7F2AB07F2CB17E2DB27D2EB37C2FB47C31B57B32B67A34B67935B77937B87838B9773ABA763BBB753DBC74",
        "3FBC7340BD7242BE7144BF7046C06F48C16E4AC16D4CC26C4EC36B50C46A52C56954C56856C66758C7655AC8645CC863",
        "5EC96260CA6063CB5F65CB5E67CC5C69CD5B6CCD5A6ECE5870CF5773D05675D05477D1537AD1517CD2507FD34E81D34D",
        "84D44B86D54989D5488BD6468ED64590D74393D74195D84098D83E9BD93C9DD93BA0DA39A2DA37A5DB36A8DB34AADC32",
        "ADDC30B0DD2FB2DD2DB5DE2BB8DE29BADE28BDDF26C0DF25C2DF23C5E021C8E020CAE11FCDE11DD0E11CD2E21BD5E21A",
        "D8E219DAE319DDE318DFE318E2E418E5E419E7E419EAE51AECE51BEFE51CF1E51DF4E61EF6E620F8E621FBE723FDE725",
    ]
}

/// A colour map with the value range it spans: `lower` maps to the map's first colour and
/// `upper` to its last.
public struct ColorScale: Sendable, Equatable {
    /// The colours.
    public var map: ColorMap
    /// The value drawn in the map's first colour.
    public var lower: Double
    /// The value drawn in the map's last colour.
    public var upper: Double

    /// A scale spanning `lower...upper`.
    public init(map: ColorMap, lower: Double, upper: Double) {
        self.map = map
        self.lower = lower
        self.upper = upper
    }

    /// The scale that spans `values`. For the diverging map the range is symmetric,
    /// `-m...m` with `m` the largest magnitude, so zero is always the neutral middle colour.
    /// Non-finite values are ignored; an empty or constant input gets a range of width 1 (or
    /// `-1...1` for the diverging map).
    public init<Values: Sequence>(map: ColorMap, fitting values: Values)
    where Values.Element == Double {
        var low = Double.infinity
        var high = -Double.infinity
        for value in values where value.isFinite {
            low = min(low, value)
            high = max(high, value)
        }
        if map == .diverging {
            let magnitude = low.isFinite ? max(abs(low), abs(high)) : 0
            let m = magnitude > 0 ? magnitude : 1
            self.init(map: map, lower: -m, upper: m)
        } else if !low.isFinite {
            self.init(map: map, lower: 0, upper: 1)
        } else {
            self.init(map: map, lower: low, upper: high > low ? high : low + 1)
        }
    }

    /// Where `value` falls in the range, from 0 to 1 (clamped).
    public func position(of value: Double) -> Double {
        guard upper != lower else { return 0.5 }
        return min(max((value - lower) / (upper - lower), 0), 1)
    }

    /// The colour of `value`.
    public func color(for value: Double) -> Color {
        map.color(at: position(of: value))
    }

    /// An RGB image `width` pixels wide and `height` high of values stored row by row, one pixel
    /// per value
    /// (draw it with ``Canvas/draw(_:in:smooth:)`` to enlarge it with sharp squares).
    /// - Throws: `ImageIOError.invalidImage` when the count does not match or a side is 0.
    public func image(values: [Double], width: Int, height: Int) throws -> Image {
        guard width > 0, height > 0, values.count == width * height else {
            throw ImageIOError.invalidImage(
                "a \(width)x\(height) map needs \(width &* height) values, got \(values.count)")
        }
        var samples = [UInt8](repeating: 0, count: values.count * 3)
        for (index, value) in values.enumerated() {
            let bytes = color(for: value).bytes
            samples[index * 3] = bytes[0]
            samples[index * 3 + 1] = bytes[1]
            samples[index * 3 + 2] = bytes[2]
        }
        return try Image(width: width, height: height, channels: 3, samples: .uint8(samples))
    }
}
