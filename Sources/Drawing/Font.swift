// Font and TextAnchor: how text is set on a canvas (DejaVu Sans, found by fontconfig).

/// A font request; the family is resolved by fontconfig through cairo.
public struct Font: Sendable, Equatable {
    /// The family used by every convkit figure, so figures look the same on every machine that
    /// has the DejaVu fonts installed (scripts/setup.sh installs them).
    public static let defaultFamily = "DejaVu Sans"

    public var size: Double
    public var bold: Bool
    public var family: String

    public init(size: Double, bold: Bool = false, family: String = Font.defaultFamily) {
        self.size = size
        self.bold = bold
        self.family = family
    }
}

/// Which point of a line of text is placed at the requested position.
public struct TextAnchor: Sendable, Equatable {
    public enum Horizontal: Sendable { case left, center, right }
    /// `top` and `bottom` are the font's ascent and descent lines, so text of the same font
    /// lines up whatever letters it contains.
    public enum Vertical: Sendable { case top, center, baseline, bottom }

    public var horizontal: Horizontal
    public var vertical: Vertical

    public init(_ horizontal: Horizontal, _ vertical: Vertical) {
        self.horizontal = horizontal
        self.vertical = vertical
    }

    public static let center = TextAnchor(.center, .center)
    public static let topLeft = TextAnchor(.left, .top)
    public static let left = TextAnchor(.left, .center)
    public static let right = TextAnchor(.right, .center)
    public static let top = TextAnchor(.center, .top)
    public static let bottom = TextAnchor(.center, .bottom)
}
