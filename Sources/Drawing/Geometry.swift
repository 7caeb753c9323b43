// Geometry: points, sizes and rectangles in canvas units (points for SVG/PDF, pixels at scale 1).

/// A position on a canvas; `y` grows downwards.
public struct Point: Sendable, Equatable, Hashable {
    /// Horizontal position, increasing to the right.
    public var x: Double
    /// Vertical position, increasing downwards.
    public var y: Double

    // Written out: Swift synthesizes a memberwise initializer only at internal access.
    /// The point at (`x`, `y`).
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    /// The sum of two points, as vectors.
    public static func + (lhs: Point, rhs: Point) -> Point {
        Point(x: lhs.x + rhs.x, y: lhs.y + rhs.y)
    }
    /// The difference of two points, as vectors.
    public static func - (lhs: Point, rhs: Point) -> Point {
        Point(x: lhs.x - rhs.x, y: lhs.y - rhs.y)
    }
    /// The point scaled by `rhs`, as a vector.
    public static func * (lhs: Point, rhs: Double) -> Point {
        Point(x: lhs.x * rhs, y: lhs.y * rhs)
    }
}

/// A width and a height.
public struct Size: Sendable, Equatable, Hashable {
    /// Horizontal extent.
    public var width: Double
    /// Vertical extent.
    public var height: Double

    // Written out: Swift synthesizes a memberwise initializer only at internal access.
    /// A size of `width` x `height` units.
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }
}

/// An axis-aligned rectangle given by its top-left corner and size.
public struct Rect: Sendable, Equatable, Hashable {
    /// Left edge.
    public var x: Double
    /// Top edge.
    public var y: Double
    /// Horizontal extent.
    public var width: Double
    /// Vertical extent.
    public var height: Double

    // Written out: Swift synthesizes a memberwise initializer only at internal access.
    /// The rectangle with top-left corner (`x`, `y`) and the given size.
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Left edge.
    public var minX: Double { x }
    /// Top edge.
    public var minY: Double { y }
    /// Right edge.
    public var maxX: Double { x + width }
    /// Bottom edge.
    public var maxY: Double { y + height }
    /// The centre point.
    public var center: Point { Point(x: x + width / 2, y: y + height / 2) }

    /// The largest rectangle of a `width` x `height` image's proportions centred in this one.
    package func fitting(_ width: Int, _ height: Int) -> Rect {
        let scale = min(self.width / Double(max(width, 1)), self.height / Double(max(height, 1)))
        let size = Size(width: Double(width) * scale, height: Double(height) * scale)
        return Rect(
            x: x + (self.width - size.width) / 2, y: y + (self.height - size.height) / 2,
            width: size.width, height: size.height)
    }

    /// The rectangle shrunk by `dx` on the left and right and `dy` on the top and bottom.
    package func insetBy(dx: Double, dy: Double) -> Rect {
        Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy)
    }

    /// The smallest rectangle holding every point; `nil` for no points.
    package static func bounding(_ points: [Point]) -> Rect? {
        guard let first = points.first else { return nil }
        var low = first
        var high = first
        for point in points.dropFirst() {
            low = Point(x: min(low.x, point.x), y: min(low.y, point.y))
            high = Point(x: max(high.x, point.x), y: max(high.y, point.y))
        }
        return Rect(x: low.x, y: low.y, width: high.x - low.x, height: high.y - low.y)
    }
}

/// A linear map of the plane (no translation): `(x, y) -> (xx*x + xy*y, yx*x + yy*y)`, as in
/// cairo's `cairo_matrix_t`.
package struct Affine: Sendable, Equatable {
    package var xx: Double
    package var yx: Double
    package var xy: Double
    package var yy: Double
}
