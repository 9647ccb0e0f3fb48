import Foundation
import Model
import Store

/// Slack channels per case: `taser case channel`, the console's `case.channel`.
///
/// Creating a channel is a side effect on a remote system, so it goes where every other one
/// goes: the outbox. The request is a log entry and an outbox message (`slack.channel`, to the
/// named slack endpoint) in one transaction; Sync's worker (`taser serve --sync`, `taser sync
/// run`) creates the channel, invites, posts the summary and records the channel on the case,
/// with retries and dead letters. A direct call from the CLI would need the bot token on every
/// analyst's side (in team mode it is the daemon's secret), would be lost on a network error,
/// and would leave no record of a half-made channel; the outbox has none of these problems. The
/// price is that the channel shows on the case a moment later (`case channel --wait`).
extension Engine {
    /// The endpoint a request names when the analyst names none (as playbooks' `slack_endpoint`).
    public static let defaultSlackEndpoint = "slack"
    /// Channels one case may ask for: a few groups of people, not a channel per message.
    public static let mostChannels = 20

    /// Asks for another Slack channel for the case, numbered after its others.
    @discardableResult
    public func requestSlackChannel(_ caseID: Int64, endpoint: String = Engine.defaultSlackEndpoint) throws -> CaseChannel {
        let endpoint = endpoint.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(endpoint.count), endpoint.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw EngineError.invalid("'\(endpoint.prefix(80))' is not a sync endpoint name (letters, digits, - _ and ., as in sync.yaml)")
        }
        return try change { tx, now in
            let c = try writableCase(caseID, tx)
            if let into = try shown(c, tx).mergedInto {
                throw EngineError.invalid("case \(caseID) was merged into case \(into); ask for a channel there")
            }
            guard try tx.channels(ofCase: caseID).count < Engine.mostChannels else {
                throw EngineError.invalid("case \(caseID) already has \(Engine.mostChannels) Slack channels, the most one case may ask for")
            }
            let channel = try tx.addChannelRequest(caseID: caseID, endpoint: endpoint, by: actor.name, at: now)
            let people = try invitees(of: c, tx)
            let invite = people.compactMap { p in p.email.map { JSONValue.object(["login": .string(p.login), "email": .string($0)]) } }
            let unknown = people.filter { $0.email == nil }.map(\.login)
            var body = "Slack channel \(channel.number) requested (endpoint \(endpoint))"
            if !invite.isEmpty { body += "; inviting " + people.filter { $0.email != nil }.map(\.login).joined(separator: ", ") }
            if !unknown.isEmpty { body += "; no email known for " + unknown.joined(separator: ", ") + " (not invited)" }
            let entry = try tx.appendLog(
                NewLogEntry(kind: .sync, body: body, data: [
                    "event": "slack.channel", "number": .int(channel.number), "endpoint": .string(endpoint), "invite": .array(invite),
                    "not_invited": .array(unknown.map { .string($0) }),
                ]),
                toCase: caseID, author: actor.name, at: now)
            try announce(caseID, nil, entries: [entry], tx, at: now)
            let alerts = try tx.alerts(ofCase: caseID).count
            try tx.enqueue(
                endpoint: endpoint, entity: "case", id: caseID, event: "slack.channel",
                payload: [
                    "case_id": .int(caseID), "number": .int(channel.number), "title": .string(c.title), "severity": .string(c.severity.name),
                    "status": .string(c.status.rawValue), "owner": JSONValue(c.owner), "team": JSONValue(c.team), "tlp": .string(c.tlp.rawValue),
                    "tags": .array(c.tags.map { .string($0) }), "alerts": .int(Int64(alerts)), "description": .string(String(c.description.prefix(4000))),
                    "requested_by": .string(actor.name), "invite": .array(invite),
                ],
                key: "case:\(caseID):channel:\(channel.number)", at: now)
            return channel
        }
    }

    /// The case's channels, as the asker may read the case.
    public func caseChannels(_ caseID: Int64) throws -> [CaseChannel] {
        try read { tx in
            _ = try readableCase(caseID, tx)
            return try tx.channels(ofCase: caseID)
        }
    }

    /// Who a new channel invites: the case's owner and its team's members, each with the email
    /// Slack knows them by: the analyst record's, else one their identity links (`taser
    /// identities`), else none (not invited; the log entry says so).
    func invitees(of c: Case, _ tx: Tx) throws -> [(login: String, email: String?)] {
        var logins: [String] = []
        if let owner = c.owner { logins.append(owner) }
        if let team = c.team, let members = try tx.team(team)?.members {
            for m in members.sorted() where !logins.contains(m) { logins.append(m) }
        }
        return try logins.prefix(200).map { login in
            if let email = try tx.analyst(login)?.email?.trimmingCharacters(in: .whitespaces), email.contains("@") { return (login, email) }
            let linked = try tx.identifiers(sameAs: login).filter { $0.contains("@") }.sorted().first
            return (login, linked)
        }
    }
}
