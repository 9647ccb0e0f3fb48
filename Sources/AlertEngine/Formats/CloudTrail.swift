import Model

/// AWS CloudTrail events: the elements of a log file's `Records` array (split by the framer),
/// single events (`lookup-events`, CloudTrail Lake, one event per line) and EventBridge's
/// `AWS API Call via CloudTrail` / `AWS Console Sign In via CloudTrail` envelopes, whose `detail`
/// is the event (the envelope stays the raw body). Fields: `eventVersion`, `eventTime`,
/// `eventSource`, `eventName`, `awsRegion`, `sourceIPAddress`, `userAgent`, `userIdentity`,
/// `errorCode`, `errorMessage`, `eventID`, `readOnly`, `recipientAccountId`.
///
/// `ConsoleLogin` is `.consoleLogin`, its outcome from `responseElements.ConsoleLogin`
/// (`Success`/`Failure`); every other event is `.cloudTrail`.
///
/// Severity: root activity medium; otherwise an error (AccessDenied, a failed console login)
/// low; otherwise info.
struct CloudTrailFormat: Format {
    let name = "cloudtrail"

    func accepts(_ record: Record) -> Bool {
        guard let e = record.json else { return false }
        return CloudTrailFormat.event(in: e) != nil
    }

    /// The event itself: the record, or the `detail` of an EventBridge envelope.
    static func event(in e: JSONValue) -> JSONValue? {
        if e.has("eventVersion", "eventSource", "eventName", "eventTime") { return e }
        if let type = e.string("detail-type"), type.hasSuffix("via CloudTrail"), let detail = e.at("detail"),
           detail.has("eventSource", "eventName")
        {
            return detail
        }
        return nil
    }

    /// What CloudTrail writes for a user name that does not exist, so as not to leak guesses.
    static let hiddenUser = "HIDDEN_DUE_TO_SECURITY_REASONS"

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let outer = try object(record)
        guard let e = CloudTrailFormat.event(in: outer) else { throw NormalizeError("cloudtrail: not a CloudTrail event") }
        guard let eventName = e.string("eventName") else { throw NormalizeError("cloudtrail: eventName is missing") }
        let time = try time(e, "eventTime")
        let eventSource = e.string("eventSource") ?? ""
        let service = eventSource.replacingOccurrences(of: ".amazonaws.com", with: "")
        let identityType = e.string("userIdentity.type") ?? ""
        let errorCode = e.string("errorCode")

        var f: JSONObject = [:]
        f["event.action"] = .string(eventName)
        f["event.provider"] = .string(eventSource)
        f["cloud.provider"] = "aws"
        ECS.copy(e, "awsRegion", to: "cloud.region", into: &f)
        if let account = e.string("recipientAccountId") ?? e.string("userIdentity.accountId") {
            f["cloud.account.id"] = .string(account)
        }
        ECS.copy(e, "userAgent", to: "user_agent.original", into: &f)
        // A service calling on a user's behalf appears as its name (`ec2.amazonaws.com`), and
        // AWS's own traffic as `AWS Internal`: only an IP is source.ip.
        if let address = e.string("sourceIPAddress") {
            f["source.address"] = .string(address)
            if VendorJSON.isIP(address) { f["source.ip"] = .string(address) }
        }
        ECS.copy(e, "eventType", to: "aws.cloudtrail.event_type", into: &f)
        ECS.copy(e, "eventCategory", to: "aws.cloudtrail.event_category", into: &f)
        ECS.copy(e, "readOnly", to: "aws.cloudtrail.read_only", into: &f)
        ECS.copy(e, "userIdentity.type", to: "aws.cloudtrail.user_identity.type", into: &f)
        ECS.copy(e, "userIdentity.arn", to: "aws.cloudtrail.user_identity.arn", into: &f)
        ECS.copy(e, "userIdentity.accountId", to: "aws.cloudtrail.user_identity.account_id", into: &f)
        ECS.copy(e, "userIdentity.accessKeyId", to: "aws.cloudtrail.user_identity.access_key_id", into: &f)
        ECS.copy(e, "userIdentity.invokedBy", to: "aws.cloudtrail.user_identity.invoked_by", into: &f)
        ECS.copy(e, "additionalEventData.MFAUsed", to: "aws.cloudtrail.mfa_used", into: &f)
        if let errorCode {
            f["error.code"] = .string(errorCode)
            f["event.outcome"] = "failure"
        } else {
            f["event.outcome"] = "success"
        }
        ECS.copy(e, "errorMessage", to: "error.message", into: &f)
        // Who a write acts on: the target of CreateAccessKey, AttachUserPolicy, DeleteLoginProfile.
        if let target = e.string("requestParameters.userName") { f["user.target.name"] = .string(target.lowercased()) }
        ECS.copy(e, "requestParameters.roleName", to: "aws.cloudtrail.request.role_name", into: &f)
        ECS.copy(e, "requestParameters.bucketName", to: "aws.cloudtrail.request.bucket_name", into: &f)

        // The person or principal: an IAM user's name, "root", an assumed role's session name
        // (for IAM Identity Center the person's email), a federated user's name.
        let role = e.string("userIdentity.sessionContext.sessionIssuer.userName")
        if let role { f["aws.cloudtrail.role_name"] = .string(role) }
        let arnTail = e.string("userIdentity.arn")?.split(separator: "/").last.map(String.init)
        var login: String?
        switch identityType {
        case "Root": login = "root"
        case "AssumedRole", "FederatedUser": login = arnTail ?? e.string("userIdentity.userName")
        case "AWSService", "AWSAccount": login = nil
        default: login = e.string("userIdentity.userName") ?? e.string("additionalEventData.UserName")
        }
        if login == CloudTrailFormat.hiddenUser { login = nil }
        ECS.user(login, into: &f)

        let who = f["user.name"]?.stringValue ?? role ?? e.string("userIdentity.invokedBy")
            ?? (e.string("userIdentity.userName") == CloudTrailFormat.hiddenUser ? "an unknown user" : nil)
            ?? (identityType.isEmpty ? "an unknown principal" : identityType)
        let isRoot = identityType == "Root"
        let kind: SignalKind, severity: Severity, title: String
        if eventName == "ConsoleLogin" {
            let result = e.string("responseElements.ConsoleLogin") ?? (errorCode == nil ? "Success" : "Failure")
            let success = result.lowercased() == "success"
            f["event.outcome"] = .string(success ? "success" : "failure")
            kind = .consoleLogin
            severity = isRoot ? .medium : success ? .info : .low
            let mfa = e.string("additionalEventData.MFAUsed") == "No" && success ? " without MFA" : ""
            title = success
                ? "AWS console login by \(who)\(mfa)"
                : "Failed AWS console login by \(who)\(e.string("errorMessage").map { " (\($0))" } ?? "")"
        } else {
            kind = .cloudTrail
            severity = isRoot ? .medium : errorCode != nil ? .low : .info
            title = "\(eventName) on \(service) by \(who)\(errorCode.map { " failed: \($0)" } ?? "")"
        }
        return [Normalized(
            time: time, source: "cloudtrail", sourceRef: e.string("eventID"), kind: kind, severity: severity, title: title,
            fields: f, raw: record.raw, texts: [e.string("errorMessage")].compactMap { $0 })]
    }
}
