extension SignalKind {
    public static let azureActivity = SignalKind(
        name: "azure.activity", displayName: "Azure activity log event",
        aliases: ["azure activity", "azure operation", "azure resource change"], source: "azure")
    /// A resource log of a category that is not the activity log, sign-ins, audit or risk
    /// (Key Vault, firewall, ...): kept, but read by no Sigma logsource yet.
    public static let azureResource = SignalKind(
        name: "azure.resource", displayName: "Azure resource log event", aliases: ["azure diagnostic log"], source: "azure")
    public static let azureSignIn = SignalKind(
        name: "azure.signin", displayName: "Azure AD sign-in",
        aliases: ["entra sign-in", "entra id sign-in", "azure login", "azure ad login", "microsoft sign-in"], source: "azure")
    public static let azureAudit = SignalKind(
        name: "azure.audit", displayName: "Azure AD audit event",
        aliases: ["entra audit event", "entra id audit event", "azure directory change"], source: "azure")
    public static let azureRiskDetection = SignalKind(
        name: "azure.risk_detection", displayName: "Azure AD risk detection",
        aliases: ["identity protection risk", "entra risk detection", "risky user event"], source: "azure")
    /// Privileged Identity Management's events in the directory audit log.
    public static let azurePIM = SignalKind(
        name: "azure.pim", displayName: "Azure PIM event",
        aliases: ["privileged identity management event", "pim event", "pim alert"], source: "azure")
    public static let m365Audit = SignalKind(
        name: "m365.audit", displayName: "Microsoft 365 audit event",
        aliases: ["o365 audit event", "office 365 audit event", "unified audit log event"], source: "m365")
    public static let m365Alert = SignalKind(
        name: "m365.alert", displayName: "Microsoft 365 security alert",
        aliases: ["o365 alert", "office 365 alert", "security and compliance alert"], source: "m365")
    public static let gcpAudit = SignalKind(
        name: "gcp.audit", displayName: "Google Cloud audit event",
        aliases: ["gcp audit event", "google cloud api call", "gcp api call"], source: "gcp")
    public static let googleWorkspaceAdmin = SignalKind(
        name: "google_workspace.admin", displayName: "Google Workspace admin event",
        aliases: ["gsuite admin event", "workspace admin change"], source: "gcp")
    public static let googleWorkspaceLogin = SignalKind(
        name: "google_workspace.login", displayName: "Google Workspace login",
        aliases: ["gsuite login", "google login"], source: "gcp")
    public static let githubAudit = SignalKind(
        name: "github.audit", displayName: "GitHub audit event", aliases: ["github audit log event", "github event"], source: "github")
    public static let kubernetesAudit = SignalKind(
        name: "kubernetes.audit", displayName: "Kubernetes API call",
        aliases: ["k8s audit event", "kubernetes audit event", "k8s api call"], source: "kubernetes")
    public static let openCanary = SignalKind(
        name: "opencanary.event", displayName: "honeypot event",
        aliases: ["opencanary event", "canary alert", "honeypot alert", "honeypot touch"], source: "opencanary")

    /// Cloud and SaaS audit logs.
    static let cloudKinds: [SignalKind] = [
        azureActivity, azureResource, azureSignIn, azureAudit, azureRiskDetection, azurePIM, m365Audit, m365Alert, gcpAudit,
        googleWorkspaceAdmin, googleWorkspaceLogin, githubAudit, kubernetesAudit, openCanary,
    ]
}
