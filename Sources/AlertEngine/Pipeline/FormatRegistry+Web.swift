extension FormatRegistry {
    /// Web servers' access logs and proxies' logs.
    static let webFormats: [any Format] = []
}
