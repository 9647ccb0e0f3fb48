/// A kind of signal as rules name it: a stable dotted `name`, the `displayName` analysts say
/// ("failed Duo push"), and aliases. AlertEngine's normalizers produce these names; the rule
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
        aliases: ["new location login", "login from a new country", "new country login"], source: "okta")
    public static let oktaLoginFailed = SignalKind(
        name: "okta.sso.login_failed", displayName: "failed SSO login", aliases: ["okta login failure"],
        source: "okta")
    public static let duoAuth = SignalKind(
        name: "duo.auth.success", displayName: "Duo authentication", aliases: ["duo login"], source: "duo")
    public static let duoPushFailed = SignalKind(
        name: "duo.push.failed", displayName: "failed Duo push",
        aliases: ["duo push denied", "denied duo push", "duo fraud"], source: "duo")
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
    public static let cloudTrail = SignalKind(
        name: "aws.cloudtrail", displayName: "CloudTrail event", aliases: ["aws api call"], source: "cloudtrail")
    public static let consoleLogin = SignalKind(
        name: "aws.cloudtrail.console_login", displayName: "AWS console login", aliases: [], source: "cloudtrail")
    public static let guardDuty = SignalKind(
        name: "aws.guardduty.finding", displayName: "GuardDuty finding", aliases: ["guardduty alert"],
        source: "guardduty")

    /// The kinds taser knows today; AlertEngine adds the rest of its formats' kinds here.
    public static let catalog: [SignalKind] = [
        oktaLogin, oktaNewLocation, oktaLoginFailed, duoAuth, duoPushFailed, carbonBlackAlert,
        idsAlert, idsDNS, idsHTTP, idsTLS, cloudTrail, consoleLogin, guardDuty,
    ]
}
