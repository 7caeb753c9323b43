// Color: an sRGB colour with alpha, as every Drawing primitive takes it.

/// A colour in sRGB with straight (not premultiplied) alpha; each component is in 0...1.
public struct Color: Sendable, Equatable, Hashable {
    /// Red, 0...1.
    public var red: Double
    /// Green, 0...1.
    public var green: Double
    /// Blue, 0...1.
    public var blue: Double
    /// Opacity, 0 (transparent) ...1 (opaque).
    public var alpha: Double

    /// Creates a colour; components are clamped to 0...1.
    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = Color.clamp(red)
        self.green = Color.clamp(green)
        self.blue = Color.clamp(blue)
        self.alpha = Color.clamp(alpha)
    }

    /// Creates an opaque colour from `0xRRGGBB`, e.g. `Color(hex: 0x268BD2)`.
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(
            red: Double((hex >> 16) & 0xFF) / 255, green: Double((hex >> 8) & 0xFF) / 255,
            blue: Double(hex & 0xFF) / 255, alpha: alpha)
    }

    /// The same colour with a different alpha.
    public func withAlpha(_ alpha: Double) -> Color {
        Color(red: red, green: green, blue: blue, alpha: alpha)
    }

    /// This colour composited over an opaque `background` (source-over), as an opaque colour.
    public func over(_ background: Color) -> Color {
        Color(
            red: red * alpha + background.red * (1 - alpha),
            green: green * alpha + background.green * (1 - alpha),
            blue: blue * alpha + background.blue * (1 - alpha))
    }

    /// The colour as 8-bit `[r, g, b, a]`, rounded to nearest.
    package var bytes: [UInt8] {
        [red, green, blue, alpha].map { UInt8(($0 * 255).rounded()) }
    }

    /// Relative luminance (ITU-R BT.709 weights on the stored values), used to pick readable text.
    package var luminance: Double { 0.2126 * red + 0.7152 * green + 0.0722 * blue }

    /// Black or white, whichever reads better on top of this colour.
    public var contrastingText: Color { luminance > 0.5 ? .black : .white }

    /// Opaque black.
    public static let black = Color(red: 0, green: 0, blue: 0)
    /// Opaque white.
    public static let white = Color(red: 1, green: 1, blue: 1)
    /// Fully transparent.
    public static let clear = Color(red: 0, green: 0, blue: 0, alpha: 0)

    private static func clamp(_ value: Double) -> Double {
        value.isNaN ? 0 : min(max(value, 0), 1)
    }
}
