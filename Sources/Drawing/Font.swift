// Font and TextAnchor: how text is set on a canvas (DejaVu Sans, found by fontconfig).

/// A font request; the family is resolved by fontconfig through cairo.
public struct Font: Sendable, Equatable {
    /// The family used by every convkit figure, so figures look the same on every machine that
    /// has the DejaVu fonts installed (scripts/setup.sh installs them).
    public static let defaultFamily = "DejaVu Sans"

    /// Size in canvas units.
    public var size: Double
    /// Whether the bold face is used.
    public var bold: Bool
    /// The fontconfig family name.
    public var family: String

    /// A font of `size` units.
    public init(size: Double, bold: Bool = false, family: String = Font.defaultFamily) {
        self.size = size
        self.bold = bold
        self.family = family
    }
}

/// Which point of a line of text is placed at the requested position.
public struct TextAnchor: Sendable, Equatable {
    /// Which point of the line's width is placed at the position.
    public enum Horizontal: Sendable { case left, center, right }
    /// `top` and `bottom` are the font's ascent and descent lines, so text of the same font
    /// lines up whatever letters it contains.
    public enum Vertical: Sendable { case top, center, baseline, bottom }

    /// The horizontal anchor.
    public var horizontal: Horizontal
    /// The vertical anchor.
    public var vertical: Vertical

    /// An anchor from its two components.
    public init(_ horizontal: Horizontal, _ vertical: Vertical) {
        self.horizontal = horizontal
        self.vertical = vertical
    }

    /// The middle of the text.
    public static let center = TextAnchor(.center, .center)
    /// The top-left corner.
    public static let topLeft = TextAnchor(.left, .top)
    /// The middle of the left edge.
    public static let left = TextAnchor(.left, .center)
    /// The middle of the right edge.
    public static let right = TextAnchor(.right, .center)
    /// The middle of the top edge.
    public static let top = TextAnchor(.center, .top)
    /// The middle of the bottom edge.
    public static let bottom = TextAnchor(.center, .bottom)
}
