extension SigmaBuiltInMapping {
    /// Web servers and proxies: access logs, Squid, Zscaler.
    static let web = """
    # (filled as the formats for these sources land)
    """
}
