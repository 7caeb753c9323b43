// FilterManifestOptions: the options of a `filter` run as its manifest lines record them.

extension Filter {
    /// Every option that shapes an output, by its command-line name, as given or defaulted.
    var manifestOptions: [String: String] {
        var options = [
            "mode": (mode ?? (padding == nil ? .same : .valid)).rawValue,
            "boundary": boundary.rawValue,
            "stride": stride.pair.description,
            "dilation": dilation.pair.description,
            "padding": padding?.padding.description ?? "0",
            "operation": correlate ? "correlate" : "convolve",
            "alpha": alpha.rawValue,
            "compression": "\(png.compression)",
            "precision": float64 ? "float64" : "float32",
        ]
        if let fill { options["fill"] = "\(fill.value)" }
        if let range { options["range"] = range.rawValue }
        if let format { options["format"] = format.rawValue }
        if magnitude { options["magnitude"] = "true" }
        if gray { options["gray"] = "true" }
        return options
    }
}
