import Model

/// AWS CloudTrail events: the elements of a log file's `Records` array (split by the framer),
/// single events (`lookup-events`, CloudTrail Lake, one event per line) and EventBridge's
/// `AWS API Call via CloudTrail` / `AWS Console Sign In via CloudTrail` envelopes, whose `detail`
/// is the event (the envelope stays the raw body). Fields: `eventVersion`, `eventTime`,
/// `eventSource`, `eventName`, `awsRegion`, `sourceIPAddress`, `userAgent`, `userIdentity`,
/// `errorCode`, `errorMessage`, `eventID`, `readOnly`, `recipientAccountId`.
///
/// `ConsoleLogin` is `.consoleLogin`, its outcome from `responseElements.ConsoleLogin`
/// (`Success`/`Failure`); an Insights event (`eventCategory: Insight`, `insightDetails`) is
/// `.cloudTrailInsight`; every other event is `.cloudTrail`. Time: `eventTime`.
///
/// Identity: `user.name` is the IAM user, `root`, or an assumed role's session name, verbatim;
/// `user.id` the principal id; an assumed role's role is `user.roles` and `user.effective.*`
/// (see `assumedRole`); the user a call acts on (`requestParameters.userName`) `user.target.name`.
///
/// Severity: root activity medium; otherwise an error (AccessDenied, a failed console login)
/// low; otherwise info.
struct CloudTrailFormat: Format {
    let name = "cloudtrail"
    var jsonMarks: [[String]] { [["eventVersion", "eventSource", "eventName", "eventTime"], ["eventVersion", "eventTime", "insightDetails"], ["detail-type"]] }

    func accepts(_ record: Record) -> Bool {
        guard let e = record.json else { return false }
        return CloudTrailFormat.event(in: e) != nil
    }

    /// The event itself: the record, or the `detail` of an EventBridge envelope.
    static func event(in e: JSONValue) -> JSONValue? {
        if e.has("eventVersion", "eventSource", "eventName", "eventTime") || isInsight(e) { return e }
        if let type = e.string("detail-type"), type.hasSuffix("via CloudTrail"), let detail = e.at("detail"),
           detail.has("eventSource", "eventName") || isInsight(detail)
        {
            return detail
        }
        return nil
    }

    /// An Insights event names the API it is about inside `insightDetails`, not at the top.
    static func isInsight(_ e: JSONValue) -> Bool {
        e.has("eventVersion", "eventTime", "insightDetails")
    }

    /// What CloudTrail writes for a user name that does not exist, so as not to leak guesses.
    static let hiddenUser = "HIDDEN_DUE_TO_SECURITY_REASONS"

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let outer = try object(record)
        guard let e = CloudTrailFormat.event(in: outer) else { throw NormalizeError("cloudtrail: not a CloudTrail event") }
        if CloudTrailFormat.isInsight(e) { return try insight(e, record) }
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
        ECS.user(e.string("requestParameters.userName"), prefix: "user.target", into: &f)
        ECS.copy(e, "requestParameters.roleName", to: "aws.cloudtrail.request.role_name", into: &f)
        ECS.copy(e, "requestParameters.bucketName", to: "aws.cloudtrail.request.bucket_name", into: &f)

        // The person or principal: an IAM user's name, "root", an assumed role's session name
        // (for IAM Identity Center the person's email), a federated user's name.
        let role = e.string("userIdentity.sessionContext.sessionIssuer.userName")
        if let role { f["aws.cloudtrail.role_name"] = .string(role) }
        CloudTrailFormat.assumedRole(e, into: &f)
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
        ECS.copy(e, "userIdentity.principalId", to: "user.id", into: &f)

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

extension CloudTrailFormat {
    /// An assumed role's session, in ECS's user fields (ECS 8.x, the user field set):
    /// - `user.name`: the session name (the tail of `assumed-role/Role/Session`; for IAM Identity
    ///   Center the person's email), set by the caller as for other identities;
    /// - `user.id`: `userIdentity.principalId` (`AROA...:Session`), set by the caller;
    /// - `user.roles`: the role's name (ECS: "array of user roles at the time of the event");
    /// - `user.effective.name` / `user.effective.id`: the role's name and ARN; ECS's effective
    ///   user is the identity acted as, "e.g. via sudo", which is what assuming a role is;
    /// - the session issuer under the names Elastic's AWS integration uses,
    ///   `aws.cloudtrail.user_identity.session_context.session_issuer.*`.
    static func assumedRole(_ e: JSONValue, into f: inout JSONObject) {
        let issuer = "userIdentity.sessionContext.sessionIssuer"
        guard e.string("\(issuer).type") == "Role" || e.string("userIdentity.type") == "AssumedRole" else { return }
        let roleName = e.string("\(issuer).userName")
            ?? e.string("userIdentity.arn").flatMap(CloudTrailFormat.assumedRoleParts)?.role
        if let roleName {
            f["user.roles"] = .array([.string(roleName)])
            f["user.effective.name"] = .string(roleName)
        }
        ECS.copy(e, "\(issuer).arn", to: "user.effective.id", into: &f)
        let elastic = "aws.cloudtrail.user_identity.session_context"
        ECS.copy(e, "\(issuer).arn", to: "\(elastic).session_issuer.arn", into: &f)
        ECS.copy(e, "\(issuer).principalId", to: "\(elastic).session_issuer.principal_id", into: &f)
        ECS.copy(e, "\(issuer).type", to: "\(elastic).session_issuer.type", into: &f)
        ECS.copy(e, "\(issuer).accountId", to: "\(elastic).session_issuer.account_id", into: &f)
        ECS.copy(e, "userIdentity.sessionContext.attributes.mfaAuthenticated", to: "\(elastic).mfa_authenticated", into: &f)
        ECS.copy(e, "userIdentity.sessionContext.attributes.creationDate", to: "\(elastic).creation_date", into: &f)
        if let session = e.string("userIdentity.arn").flatMap(CloudTrailFormat.assumedRoleParts)?.session {
            f["aws.cloudtrail.user_identity.session_name"] = .string(session)
        }
    }

    /// `arn:aws:sts::111111111111:assumed-role/RoleName/SessionName` as (role, session).
    static func assumedRoleParts(_ arn: String) -> (role: String, session: String)? {
        guard let resource = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).last else { return nil }
        let parts = resource.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "assumed-role", !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        return (String(parts[1]), String(parts[2]))
    }

    /// A CloudTrail Insights event: `insightDetails` names the API (`eventSource`, `eventName`),
    /// the kind of anomaly (`insightType`: ApiCallRateInsight, ApiErrorRateInsight), whether it
    /// began or ended (`state`: Start, End; the pair shares `sharedEventID`), and the baseline
    /// and observed averages. Severity: medium when unusual activity starts, info when it ends.
    func insight(_ e: JSONValue, _ record: Record) throws(NormalizeError) -> [Normalized] {
        let time = try time(e, "eventTime")
        let d = e.at("insightDetails") ?? .object([:])
        let eventName = d.string("eventName") ?? "?"
        let service = (d.string("eventSource") ?? "").replacingOccurrences(of: ".amazonaws.com", with: "")
        let state = d.string("state") ?? ""
        let type = d.string("insightType") ?? "Insight"
        var f: JSONObject = [:]
        f["cloud.provider"] = "aws"
        f["event.action"] = .string(eventName)
        ECS.copy(d, "eventSource", to: "event.provider", into: &f)
        ECS.copy(e, "awsRegion", to: "cloud.region", into: &f)
        ECS.copy(e, "recipientAccountId", to: "cloud.account.id", into: &f)
        ECS.copy(e, "eventType", to: "aws.cloudtrail.event_type", into: &f)
        ECS.copy(e, "eventCategory", to: "aws.cloudtrail.event_category", into: &f)
        ECS.copy(e, "sharedEventID", to: "aws.cloudtrail.shared_event_id", into: &f)
        ECS.copy(d, "state", to: "aws.cloudtrail.insight_details.state", into: &f)
        ECS.copy(d, "insightType", to: "aws.cloudtrail.insight_details.insight_type", into: &f)
        ECS.copy(d, "errorCode", to: "error.code", into: &f)
        let stats = "insightContext.statistics"
        for (path, key) in [("\(stats).baseline.average", "baseline_average"), ("\(stats).insight.average", "insight_average"),
                            ("\(stats).insightDuration", "insight_duration"), ("\(stats).baselineDuration", "baseline_duration")] {
            if let n = VendorJSON.double(d.at(path)) { f["aws.cloudtrail.insight_details.\(key)"] = .double(n) }
        }
        let what = type == "ApiErrorRateInsight" ? "error rate" : "call rate"
        let title = "CloudTrail Insight: unusual \(what) of \(eventName)\(service.isEmpty ? "" : " on \(service)")"
            + (state.isEmpty ? "" : " (\(state.lowercased()))")
        return [Normalized(
            time: time, source: "cloudtrail", sourceRef: e.string("eventID"), kind: .cloudTrailInsight,
            severity: state == "End" ? .info : .medium, title: title, fields: f, raw: record.raw)]
    }
}
