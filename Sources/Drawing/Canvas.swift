// Canvas: a drawing surface over cairo (image, SVG or PDF) with the few primitives figures need.

import CCairo
import Foundation
import ImageIO

/// A figure being drawn: shapes, text and images on a cairo surface.
///
/// Coordinates are in canvas units with the origin at the top-left corner and `y` growing
/// downwards. A PNG canvas renders `scale` pixels per unit; SVG and PDF canvases are vector
/// and measure one unit as one pixel (SVG) or one point (PDF). Draw, then call
/// ``write(to:)`` (or ``encoded()`` / ``image()``) once.
public final class Canvas {
    /// Width in canvas units.
    public let width: Double
    /// Height in canvas units.
    public let height: Double
    /// The format the canvas renders and writes.
    public let format: FigureFormat
    /// Pixels per canvas unit in PNG output.
    public let scale: Double

    let surface: OpaquePointer
    let context: OpaquePointer
    private let sink: ByteSink
    private var finished = false

    /// The largest side cairo's image surface accepts, in pixels.
    package static let maximumPixelSide = 32767
    /// The most pixels a PNG canvas may have (2^27, half a gigabyte of ARGB).
    package static let maximumPixels = 1 << 27

    /// The pixels a PNG canvas of `width` x `height` units has at `scale` (whole pixels, rounded
    /// up), so callers can check a size against the limits above before drawing.
    package static func pixelSize(width: Double, height: Double, scale: Double) -> (
        width: Double, height: Double
    ) {
        ((width * scale).rounded(.up), (height * scale).rounded(.up))
    }

    /// Creates a canvas `width` x `height` units for `format`, filled with `background`
    /// (`nil` leaves it transparent).
    public init(
        width: Double, height: Double, format: FigureFormat = .png, scale: Double = 1,
        background: Color? = .white
    ) throws {
        guard width.isFinite, height.isFinite, scale.isFinite, width >= 1, height >= 1, scale > 0
        else {
            throw DrawingError.badSize("\(width)x\(height) at scale \(scale)")
        }
        // Only a PNG canvas has pixels; a vector one is sized in units, whatever the scale.
        let (pixelWidth, pixelHeight) = Canvas.pixelSize(
            width: width, height: height, scale: format == .png ? scale : 1)
        guard pixelWidth <= Double(Canvas.maximumPixelSide),
            pixelHeight <= Double(Canvas.maximumPixelSide)
        else {
            throw DrawingError.badSize(
                "\(Int(pixelWidth))x\(Int(pixelHeight)) pixels is over cairo's limit of \(Canvas.maximumPixelSide) per side"
            )
        }
        guard format != .png || pixelWidth * pixelHeight <= Double(Canvas.maximumPixels) else {
            throw DrawingError.badSize(
                "\(Int(pixelWidth))x\(Int(pixelHeight)) pixels is more than \(Canvas.maximumPixels) (use a smaller scale)"
            )
        }
        self.width = width
        self.height = height
        self.format = format
        self.scale = format == .png ? scale : 1
        sink = ByteSink()
        let closure = Unmanaged.passUnretained(sink).toOpaque()
        let created: OpaquePointer?
        switch format {
        case .png:
            created = cairo_image_surface_create(
                CAIRO_FORMAT_ARGB32, Int32(pixelWidth), Int32(pixelHeight))
        case .svg:
            created = cairo_svg_surface_create_for_stream(appendToSink, closure, width, height)
            if let created { cairo_svg_surface_set_document_unit(created, CAIRO_SVG_UNIT_PX) }
        case .pdf:
            created = cairo_pdf_surface_create_for_stream(appendToSink, closure, width, height)
        }
        guard let created, cairo_surface_status(created) == CAIRO_STATUS_SUCCESS else {
            if let created { cairo_surface_destroy(created) }
            throw DrawingError.cairo(
                "cannot create a \(Int(pixelWidth))x\(Int(pixelHeight)) \(format.rawValue) surface")
        }
        surface = created
        guard let cr = cairo_create(created) else {
            cairo_surface_destroy(created)
            throw DrawingError.cairo("cannot create a drawing context")
        }
        context = cr
        if format == .png { cairo_scale(cr, scale, scale) }
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER)
        if let background { fill(Rect(x: 0, y: 0, width: width, height: height), background) }
    }

    deinit {
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    // MARK: Shapes

    /// Fills `rect` with `color`.
    public func fill(_ rect: Rect, _ color: Color) {
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        setColor(color)
        cairo_fill(context)
    }

    /// Outlines `rect`; `dash` is an on/off pattern in canvas units (`nil` for a solid line).
    public func stroke(_ rect: Rect, _ color: Color, lineWidth: Double = 1, dash: [Double]? = nil) {
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        strokePath(color, lineWidth: lineWidth, dash: dash)
    }

    /// Fills the closed polygon through `points`.
    public func fill(polygon points: [Point], _ color: Color) {
        guard tracePath(points, closed: true) else { return }
        setColor(color)
        cairo_fill(context)
    }

    /// Outlines the polygon through `points` (closed unless `closed` is false).
    public func stroke(
        polygon points: [Point], _ color: Color, lineWidth: Double = 1, dash: [Double]? = nil,
        closed: Bool = true
    ) {
        guard tracePath(points, closed: closed) else { return }
        strokePath(color, lineWidth: lineWidth, dash: dash)
    }

    /// Draws a straight line.
    public func line(
        from start: Point, to end: Point, _ color: Color, lineWidth: Double = 1,
        dash: [Double]? = nil
    ) {
        stroke(polygon: [start, end], color, lineWidth: lineWidth, dash: dash, closed: false)
    }

    /// Fills a circle.
    public func fill(circleAt center: Point, radius: Double, _ color: Color) {
        cairo_new_path(context)
        cairo_arc(context, center.x, center.y, radius, 0, 2 * Double.pi)
        setColor(color)
        cairo_fill(context)
    }

    // MARK: Text

    /// Draws one line of `text` with its `anchor` point at `position`, turned by `angle`
    /// radians (clockwise, around `position`).
    public func text(
        _ text: String, at position: Point, font: Font, _ color: Color = .black,
        anchor: TextAnchor = .topLeft, angle: Double = 0
    ) {
        let turn = Affine(xx: cos(angle), yx: sin(angle), xy: -sin(angle), yy: cos(angle))
        self.text(text, at: position, font: font, color, anchor: anchor, transform: turn)
    }

    /// Draws one line of `text` with its `anchor` point at `position`, its letters mapped by
    /// `transform` around `position` (to set text on a slanted plane, say).
    package func text(
        _ text: String, at position: Point, font: Font, _ color: Color = .black,
        anchor: TextAnchor = .topLeft, transform: Affine
    ) {
        guard !text.isEmpty else { return }
        select(font)
        var extents = cairo_text_extents_t()
        var fontExtents = cairo_font_extents_t()
        cairo_text_extents(context, text, &extents)
        cairo_font_extents(context, &fontExtents)
        let dx: Double =
            switch anchor.horizontal {
            case .left: 0
            case .center: -extents.x_advance / 2
            case .right: -extents.x_advance
            }
        let dy: Double =
            switch anchor.vertical {
            case .top: fontExtents.ascent
            case .center: (fontExtents.ascent - fontExtents.descent) / 2
            case .baseline: 0
            case .bottom: -fontExtents.descent
            }
        cairo_save(context)
        cairo_translate(context, position.x, position.y)
        var matrix = cairo_matrix_t(
            xx: transform.xx, yx: transform.yx, xy: transform.xy, yy: transform.yy, x0: 0, y0: 0)
        cairo_transform(context, &matrix)
        cairo_move_to(context, dx, dy)
        setColor(color)
        cairo_show_text(context, text)
        cairo_restore(context)
    }

    /// The advance width of `text` and the font's line height (ascent + descent), for laying
    /// out a figure before its canvas exists.
    public static func measure(_ text: String, font: Font) -> Size {
        guard let canvas = try? Canvas(width: 1, height: 1, background: nil) else {
            return Size(width: Double(text.count) * font.size * 0.6, height: font.size * 1.2)
        }
        return canvas.measure(text, font: font)
    }

    /// The advance width of `text` and the font's line height (ascent + descent).
    public func measure(_ text: String, font: Font) -> Size {
        select(font)
        var extents = cairo_text_extents_t()
        var fontExtents = cairo_font_extents_t()
        cairo_text_extents(context, text, &extents)
        cairo_font_extents(context, &fontExtents)
        return Size(width: extents.x_advance, height: fontExtents.ascent + fontExtents.descent)
    }

    // MARK: Images

    /// Draws `image` stretched into `rect`; `smooth: false` keeps every pixel a sharp square
    /// (nearest neighbour), which is what small weight or activation maps need.
    public func draw(_ image: Image, in rect: Rect, smooth: Bool = false) {
        guard let source = Canvas.makeSurface(image) else { return }
        defer { cairo_surface_destroy(source) }
        cairo_save(context)
        cairo_translate(context, rect.x, rect.y)
        cairo_scale(context, rect.width / Double(image.width), rect.height / Double(image.height))
        cairo_set_source_surface(context, source, 0, 0)
        cairo_pattern_set_filter(
            cairo_get_source(context), smooth ? CAIRO_FILTER_GOOD : CAIRO_FILTER_NEAREST)
        cairo_rectangle(context, 0, 0, Double(image.width), Double(image.height))
        cairo_fill(context)
        cairo_restore(context)
    }

    // MARK: Output

    /// The finished file's bytes in the canvas's format. Ends drawing: call it once.
    public func encoded() throws -> [UInt8] {
        switch format {
        case .png:
            return try PNGEncoder.encode(image())
        case .svg, .pdf:
            guard !finished else { throw DrawingError.cairo("the figure was already finished") }
            finished = true
            cairo_surface_finish(surface)
            let status = cairo_surface_status(surface)
            guard status == CAIRO_STATUS_SUCCESS else {
                throw DrawingError.cairo(String(cString: cairo_status_to_string(status)))
            }
            return sink.bytes
        }
    }

    /// Writes the figure to `path` atomically (a temporary file in the same folder, renamed).
    /// The extension of `path` should name the canvas's format.
    public func write(to path: String) throws {
        let bytes = try encoded()
        do {
            try FileAccess.writeAtomically(bytes, to: path)
        } catch let error as ImageIOError {
            throw DrawingError.writeFailed(path: path, reason: error.writeFailureReason)
        }
    }

    /// The rendered pixels of a PNG canvas as 8-bit RGB (or RGBA when any pixel is not
    /// opaque), un-premultiplied from cairo's ARGB32.
    public func image() throws -> Image {
        let (w, h, pixelRow) = try pixelRows()
        var rgba = [UInt8](repeating: 0, count: w * h * 4)
        var opaque = true
        for y in 0..<h {
            let row = pixelRow(y)
            for x in 0..<w {
                let pixel = row.load(fromByteOffset: x * 4, as: UInt32.self)
                let a = pixel >> 24
                let out = (y * w + x) * 4
                rgba[out + 3] = UInt8(a)
                if a == 255 {
                    rgba[out] = UInt8(truncatingIfNeeded: pixel >> 16)
                    rgba[out + 1] = UInt8(truncatingIfNeeded: pixel >> 8)
                    rgba[out + 2] = UInt8(truncatingIfNeeded: pixel)
                    continue
                }
                opaque = false
                guard a > 0 else { continue }
                rgba[out] = Canvas.unpremultiply(pixel >> 16, alpha: a)
                rgba[out + 1] = Canvas.unpremultiply(pixel >> 8, alpha: a)
                rgba[out + 2] = Canvas.unpremultiply(pixel, alpha: a)
            }
        }
        if opaque {
            var rgb = [UInt8](repeating: 0, count: w * h * 3)
            for pixel in 0..<(w * h) {
                rgb[pixel * 3] = rgba[pixel * 4]
                rgb[pixel * 3 + 1] = rgba[pixel * 4 + 1]
                rgb[pixel * 3 + 2] = rgba[pixel * 4 + 2]
            }
            return try Image(width: w, height: h, channels: 3, samples: .uint8(rgb))
        }
        return try Image(width: w, height: h, channels: 4, samples: .uint8(rgba))
    }

    /// The rendered pixels of a PNG canvas as `0xRRGGBB` values, row by row, composited over
    /// black (exact for an opaque canvas): the fast path for animation frames.
    package func opaquePixels() throws -> [UInt32] {
        let (w, h, pixelRow) = try pixelRows()
        var pixels = [UInt32](repeating: 0, count: w * h)
        pixels.withUnsafeMutableBufferPointer { out in
            for y in 0..<h {
                let row = pixelRow(y)
                for x in 0..<w {
                    out[y * w + x] = row.load(fromByteOffset: x * 4, as: UInt32.self) & 0xFF_FFFF
                }
            }
        }
        return pixels
    }

    /// The width and height of the pixels of a PNG canvas.
    package var pixelSize: (width: Int, height: Int) {
        (Int(cairo_image_surface_get_width(surface)), Int(cairo_image_surface_get_height(surface)))
    }

    // MARK: Internals

    /// The flushed pixels of a PNG canvas: its width, height and the start of row `y` (cairo's
    /// ARGB32, one native-endian UInt32 per pixel), valid while the canvas lives.
    private func pixelRows() throws -> (Int, Int, (Int) -> UnsafeRawPointer) {
        guard format == .png else { throw DrawingError.cairo("only a PNG canvas has pixels") }
        cairo_surface_flush(surface)
        guard let data = cairo_image_surface_get_data(surface) else {
            throw DrawingError.cairo("no pixel data")
        }
        let stride = Int(cairo_image_surface_get_stride(surface))
        let (w, h) = pixelSize
        return (w, h, { UnsafeRawPointer(data + $0 * stride) })
    }

    /// A premultiplied 8-bit component (in the low byte of `value`) divided by `alpha`, rounded.
    private static func unpremultiply(_ value: UInt32, alpha: UInt32) -> UInt8 {
        UInt8(min(255, ((value & 0xFF) * 255 + alpha / 2) / alpha))
    }

    private func setColor(_ color: Color) {
        cairo_set_source_rgba(context, color.red, color.green, color.blue, color.alpha)
    }

    private func select(_ font: Font) {
        cairo_select_font_face(
            context, font.family, CAIRO_FONT_SLANT_NORMAL,
            font.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(context, font.size)
    }

    private func tracePath(_ points: [Point], closed: Bool) -> Bool {
        guard let first = points.first, points.count >= 2 else { return false }
        cairo_new_path(context)
        cairo_move_to(context, first.x, first.y)
        for point in points.dropFirst() { cairo_line_to(context, point.x, point.y) }
        if closed { cairo_close_path(context) }
        return true
    }

    private func strokePath(_ color: Color, lineWidth: Double, dash: [Double]?) {
        setColor(color)
        cairo_set_line_width(context, lineWidth)
        let pattern = dash ?? []
        cairo_set_dash(context, pattern, Int32(pattern.count), 0)
        cairo_stroke(context)
    }

    /// A premultiplied ARGB32 copy of `image` (grey, grey+alpha, RGB or RGBA; 8 or 16 bits).
    private static func makeSurface(_ image: Image) -> OpaquePointer? {
        guard
            let made = cairo_image_surface_create(
                CAIRO_FORMAT_ARGB32, Int32(image.width), Int32(image.height))
        else {
            return nil
        }
        guard cairo_surface_status(made) == CAIRO_STATUS_SUCCESS,
            let data = cairo_image_surface_get_data(made)
        else {
            cairo_surface_destroy(made)
            return nil
        }
        let eight = image.converted(toBitDepth: 8)
        guard case .uint8(let samples) = eight.samples else {
            cairo_surface_destroy(made)
            return nil
        }
        let stride = Int(cairo_image_surface_get_stride(made))
        let channels = image.channels
        for y in 0..<image.height {
            let row = UnsafeMutableRawPointer(data + y * stride)
            for x in 0..<image.width {
                let base = (y * image.width + x) * channels
                let grey = channels < 3
                let r = UInt32(samples[base])
                let g = UInt32(samples[base + (grey ? 0 : 1)])
                let b = UInt32(samples[base + (grey ? 0 : 2)])
                let a = image.hasAlpha ? UInt32(samples[base + channels - 1]) : 255
                let premultiply = { (value: UInt32) in (value * a + 127) / 255 }
                let pixel = a << 24 | premultiply(r) << 16 | premultiply(g) << 8 | premultiply(b)
                row.storeBytes(of: pixel, toByteOffset: x * 4, as: UInt32.self)
            }
        }
        cairo_surface_mark_dirty(made)
        return made
    }
}

/// Collects the bytes cairo's SVG and PDF surfaces stream out.
private final class ByteSink {
    var bytes = [UInt8]()
}

/// cairo's write callback: appends to the ``ByteSink`` passed as the closure pointer.
private func appendToSink(
    _ closure: UnsafeMutableRawPointer?, _ data: UnsafePointer<UInt8>?, _ length: UInt32
) -> cairo_status_t {
    guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
    let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
    sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
    return CAIRO_STATUS_SUCCESS
}
