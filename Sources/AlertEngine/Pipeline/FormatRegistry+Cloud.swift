extension FormatRegistry {
    /// Cloud and SaaS audit logs. Each accepts only its own structure (Azure's common schema,
    /// an AuditLog protoPayload, an audit.k8s.io Event, ...), so their order does not matter.
    static let cloudFormats: [any Format] = [
        AzureMonitorFormat(), Microsoft365Format(), GoogleCloudAuditFormat(), KubernetesAuditFormat(), GitHubAuditFormat(),
        OpenCanaryFormat(),
    ]
}
