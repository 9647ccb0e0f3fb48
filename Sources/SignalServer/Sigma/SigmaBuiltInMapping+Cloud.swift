extension SigmaBuiltInMapping {
    /// Cloud and SaaS audit logs: Azure, Microsoft 365, Google Cloud, GitHub, Kubernetes, OpenCanary.
    static let cloud = """
    # (filled as the formats for these sources land)
    """
}
