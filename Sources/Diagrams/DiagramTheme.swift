// DiagramTheme: the colour schemes of the diagrams.

import Drawing

/// A colour scheme for the grids, the shading and the text.
public enum DiagramTheme: String, Sendable, CaseIterable {
    /// The colours of Dumoulin & Visin's figures (Solarized blue input, cyan output).
    case classic
    /// Okabe & Ito's palette: sky-blue input, orange output, distinct under every common
    /// colour-vision deficiency.
    case colorblind
    /// Greys only, for print.
    case mono

    /// Fill of the input cells.
    package var input: Color {
        switch self {
        case .classic: Color(hex: 0x268BD2)
        case .colorblind: Color(hex: 0x56B4E9)
        case .mono: Color(hex: 0xCCCCCC)
        }
    }

    /// Fill of the output cells.
    package var output: Color {
        switch self {
        case .classic: Color(hex: 0x2AA198)
        case .colorblind: Color(hex: 0xE69F00)
        case .mono: Color(hex: 0x999999)
        }
    }

    /// Grid lines, dashed outlines and connectors.
    package var lines: Color {
        switch self {
        case .classic: Color(hex: 0x002B36)
        case .colorblind, .mono: Color(hex: 0x1A1A1A)
        }
    }

    /// The translucent shade laid over the kernel footprint and the current output cell.
    package var shade: Color {
        switch self {
        case .classic: Color(hex: 0x073642, alpha: 0.4)
        case .colorblind: Color(hex: 0x000000, alpha: 0.35)
        case .mono: Color(hex: 0x000000, alpha: 0.35)
        }
    }

    /// Labels and captions.
    package var text: Color {
        switch self {
        case .classic: Color(hex: 0x002B36)
        case .colorblind, .mono: Color(hex: 0x1A1A1A)
        }
    }

    package var background: Color { .white }
}
