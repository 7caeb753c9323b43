// SharedPointers: pointers that parallel workers share, and the one way to get them from arrays.

/// A pointer that worker threads write through, each to its own disjoint part.
package struct SharedPointer<Element>: @unchecked Sendable {
    /// The first element.
    package let base: UnsafeMutablePointer<Element>

    /// Wraps `base`.
    package init(_ base: UnsafeMutablePointer<Element>) {
        self.base = base
    }

    /// The element `index` places after ``base``.
    @inline(__always) package subscript(index: Int) -> Element {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }

    /// The pointer `offset` elements after ``base``.
    @inline(__always) package static func + (pointer: Self, offset: Int) -> UnsafeMutablePointer<
        Element
    > {
        pointer.base + offset
    }
}

/// A read-only pointer that worker threads share.
package struct SharedConstPointer<Element>: @unchecked Sendable {
    /// The first element.
    package let base: UnsafePointer<Element>

    /// Wraps `base`.
    package init(_ base: UnsafePointer<Element>) {
        self.base = base
    }

    /// The element `index` places after ``base``.
    @inline(__always) package subscript(index: Int) -> Element { base[index] }

    /// The pointer `offset` elements after ``base``.
    @inline(__always) package static func + (pointer: Self, offset: Int) -> UnsafePointer<Element> {
        pointer.base + offset
    }
}

extension UnsafeBufferPointer {
    /// The buffer's start for worker threads. An empty buffer may have no address; it gets a
    /// non-null one that is never read, since there is nothing to read.
    package var shared: SharedConstPointer<Element> {
        SharedConstPointer(baseAddress ?? UnsafePointer(placeholderAddress(for: Element.self)))
    }
}

extension UnsafeMutableBufferPointer {
    /// The buffer's start for worker threads (see ``UnsafeBufferPointer/shared``).
    package var shared: SharedPointer<Element> {
        SharedPointer(baseAddress ?? placeholderAddress(for: Element.self))
    }
}

extension Array {
    /// Calls `body` with a read-only pointer to the elements that worker closures may capture.
    @inline(__always) package func withSharedPointer<Result>(
        _ body: (SharedConstPointer<Element>) throws -> Result
    ) rethrows -> Result {
        try withUnsafeBufferPointer { try body($0.shared) }
    }

    /// Calls `body` with a pointer to the elements through which worker closures may write, each
    /// to its own part.
    @inline(__always) package mutating func withSharedMutablePointer<Result>(
        _ body: (SharedPointer<Element>) throws -> Result
    ) rethrows -> Result {
        try withUnsafeMutableBufferPointer { try body($0.shared) }
    }
}

extension Optional {
    /// Calls `body` with a read-only pointer to the wrapped array's elements that worker
    /// closures may capture, or with nil when there is no array.
    @inline(__always) package func withSharedPointer<Element, Result>(
        _ body: (SharedConstPointer<Element>?) throws -> Result
    ) rethrows -> Result where Wrapped == [Element] {
        guard let array = self else { return try body(nil) }
        return try array.withSharedPointer { try body($0) }
    }
}

/// Calls `body` with read-only pointers to three arrays' elements that worker closures may
/// capture: ``Array/withSharedPointer(_:)`` of each, nested.
@inline(__always) package func withSharedPointers<A, B, C, Result>(
    _ a: [A], _ b: [B], _ c: [C],
    _ body: (SharedConstPointer<A>, SharedConstPointer<B>, SharedConstPointer<C>) throws -> Result
) rethrows -> Result {
    try a.withSharedPointer { a in
        try b.withSharedPointer { b in try c.withSharedPointer { c in try body(a, b, c) } }
    }
}

/// A correctly aligned, non-null address that holds no element: where an empty buffer has none.
private func placeholderAddress<Element>(for _: Element.Type) -> UnsafeMutablePointer<Element> {
    UnsafeMutablePointer(bitPattern: MemoryLayout<Element>.alignment).unsafelyUnwrapped
}
