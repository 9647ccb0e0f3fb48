extension FormatRegistry {
    /// Cloud and SaaS audit logs.
    static let cloudFormats: [any Format] = []
}
