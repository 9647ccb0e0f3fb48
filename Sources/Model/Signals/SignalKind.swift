/// A kind of signal as rules name it: a stable dotted `name`, the `displayName` analysts say
/// ("failed Duo push"), and aliases. AlertEngine's formats produce these names; the rule
/// language resolves clauses against them.
public struct SignalKind: Sendable, Hashable {
    public var name: String
    public var displayName: String
    public var aliases: [String]
    public var source: String

    public init(name: String, displayName: String, aliases: [String] = [], source: String) {
        self.name = name
        self.displayName = displayName
        self.aliases = aliases
        self.source = source
    }
}

extension SignalKind {
    public static let oktaLogin = SignalKind(
        name: "okta.sso.login", displayName: "SSO login", aliases: ["okta login", "sign-in"], source: "okta")
    public static let oktaNewLocation = SignalKind(
        name: "okta.sso.new_location", displayName: "SSO login from a new location",
        aliases: ["new location login", "login from a new country", "new country login", "new device login"], source: "okta")
    public static let oktaLoginFailed = SignalKind(
        name: "okta.sso.login_failed", displayName: "failed SSO login", aliases: ["okta login failure"],
        source: "okta")
    public static let oktaEvent = SignalKind(name: "okta.event", displayName: "Okta event", source: "okta")
    public static let duoAuth = SignalKind(
        name: "duo.auth.success", displayName: "Duo authentication", aliases: ["duo login"], source: "duo")
    public static let duoPushFailed = SignalKind(
        name: "duo.push.failed", displayName: "failed Duo push",
        aliases: ["duo push denied", "denied duo push", "duo fraud"], source: "duo")
    public static let duoAuthFailed = SignalKind(
        name: "duo.auth.failed", displayName: "failed Duo authentication", aliases: ["duo failure"], source: "duo")
    public static let carbonBlackAlert = SignalKind(
        name: "cbc.alert", displayName: "CarbonBlack alert",
        aliases: ["carbon black alert", "cb alert", "edr alert"], source: "carbonblack")
    public static let idsAlert = SignalKind(
        name: "suricata.alert", displayName: "IDS alert", aliases: ["suricata alert"], source: "suricata")
    public static let idsDNS = SignalKind(
        name: "suricata.dns", displayName: "DNS query", aliases: ["dns event"], source: "suricata")
    public static let idsHTTP = SignalKind(
        name: "suricata.http", displayName: "HTTP request", aliases: ["http event"], source: "suricata")
    public static let idsTLS = SignalKind(
        name: "suricata.tls", displayName: "TLS handshake", aliases: ["tls event"], source: "suricata")
    public static let idsEvent = SignalKind(
        name: "suricata.event", displayName: "Suricata event", aliases: ["network event"], source: "suricata")
    public static let cloudTrail = SignalKind(
        name: "aws.cloudtrail", displayName: "CloudTrail event", aliases: ["aws api call"], source: "cloudtrail")
    public static let consoleLogin = SignalKind(
        name: "aws.cloudtrail.console_login", displayName: "AWS console login", aliases: [], source: "cloudtrail")
    /// CloudTrail Insights: an unusual rate of API calls or errors began or ended
    /// (`eventCategory: Insight`), about a pattern, not one principal's call.
    public static let cloudTrailInsight = SignalKind(
        name: "aws.cloudtrail.insight", displayName: "CloudTrail Insight",
        aliases: ["aws insight", "unusual api activity"], source: "cloudtrail")
    public static let guardDuty = SignalKind(
        name: "aws.guardduty.finding", displayName: "GuardDuty finding", aliases: ["guardduty alert"],
        source: "guardduty")
    public static let falco = SignalKind(
        name: "falco.alert", displayName: "Falco alert", aliases: ["runtime alert", "container alert"], source: "falco")
    public static let wazuh = SignalKind(
        name: "wazuh.alert", displayName: "Wazuh alert", aliases: ["hids alert", "ossec alert"], source: "wazuh")
    public static let splunk = SignalKind(
        name: "splunk.alert", displayName: "Splunk alert", aliases: ["siem alert", "splunk search alert"], source: "splunk")
    public static let cef = SignalKind(name: "cef.event", displayName: "CEF event", aliases: ["syslog cef event"], source: "cef")
    public static let leef = SignalKind(name: "leef.event", displayName: "LEEF event", aliases: ["syslog leef event"], source: "leef")
    public static let email = SignalKind(
        name: "email.message", displayName: "email alert", aliases: ["email", "reported email", "phishing email"], source: "email")
    public static let csvRow = SignalKind(name: "csv.row", displayName: "CSV row", aliases: ["csv event"], source: "csv")
    /// An alert a tool sent in TheHive's alert shape (`taser serve`'s TheHive-compatible API).
    public static let theHive = SignalKind(
        name: "thehive.alert", displayName: "TheHive alert", aliases: ["hive alert"], source: "thehive")

    /// The kinds taser's built-in formats produce. Mapping files add their own at run time.
    /// Families of log sources keep theirs in their own files (SignalKind+Windows.swift, ...).
    public static let catalog: [SignalKind] = vendorKinds + windowsKinds + linuxKinds + webKinds + cloudKinds

    /// The alert and log sources taser read before Windows, Linux, web and cloud logs.
    static let vendorKinds: [SignalKind] = [
        oktaLogin, oktaNewLocation, oktaLoginFailed, oktaEvent, duoAuth, duoPushFailed, duoAuthFailed, carbonBlackAlert,
        idsAlert, idsDNS, idsHTTP, idsTLS, idsEvent, cloudTrail, consoleLogin, cloudTrailInsight, guardDuty, falco, wazuh,
        splunk, cef, leef, email, csvRow, theHive,
    ]
}
