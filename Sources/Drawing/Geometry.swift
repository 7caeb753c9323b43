// Geometry: points, sizes and rectangles in canvas units (points for SVG/PDF, pixels at scale 1).

/// A position on a canvas; `y` grows downwards.
public struct Point: Sendable, Equatable, Hashable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    public static func + (lhs: Point, rhs: Point) -> Point {
        Point(x: lhs.x + rhs.x, y: lhs.y + rhs.y)
    }
    public static func - (lhs: Point, rhs: Point) -> Point {
        Point(x: lhs.x - rhs.x, y: lhs.y - rhs.y)
    }
    public static func * (lhs: Point, rhs: Double) -> Point {
        Point(x: lhs.x * rhs, y: lhs.y * rhs)
    }
}

/// A width and a height.
public struct Size: Sendable, Equatable, Hashable {
    public var width: Double
    public var height: Double

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }
}

/// An axis-aligned rectangle given by its top-left corner and size.
public struct Rect: Sendable, Equatable, Hashable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var minX: Double { x }
    public var minY: Double { y }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public var center: Point { Point(x: x + width / 2, y: y + height / 2) }

    /// The rectangle shrunk by `dx` on the left and right and `dy` on the top and bottom.
    public func insetBy(dx: Double, dy: Double) -> Rect {
        Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy)
    }

    /// The smallest rectangle holding every point; `nil` for no points.
    public static func bounding(_ points: [Point]) -> Rect? {
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
public struct Affine: Sendable, Equatable {
    public var xx: Double
    public var yx: Double
    public var xy: Double
    public var yy: Double

    public init(xx: Double, yx: Double, xy: Double, yy: Double) {
        self.xx = xx
        self.yx = yx
        self.xy = xy
        self.yy = yy
    }

    /// The map that sends the x axis to `u` and the y axis to `v`.
    public init(u: Point, v: Point) {
        self.init(xx: u.x, yx: u.y, xy: v.x, yy: v.y)
    }

    public static let identity = Affine(xx: 1, yx: 0, xy: 0, yy: 1)

    /// `point` mapped.
    public func apply(_ point: Point) -> Point {
        Point(x: xx * point.x + xy * point.y, y: yx * point.x + yy * point.y)
    }
}
