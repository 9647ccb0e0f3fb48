import Foundation
import Model
import SignalServer
import Store

/// The alerts the demo's stories would raise, and a handful of cases worked by the SOC the way
/// a real week goes: promoted, noted, assigned, shared with IR, corrected, merged, closed.
/// Each step runs through the same workflow as the CLI, as the analyst who did it, at story time.
extension Engine {
    /// The alert a rule raised for a story: its key, holding the story's signals.
    private func alert(of rule: String, key: String, holding signals: [Int64]) throws -> [Alert] {
        try read { tx in
            let candidates = try tx.alerts(AlertFilter(rule: rule, limit: 10_000), visibleTo: actor).filter { $0.groupKey == key }
            let wanted = Set(signals)
            return try candidates.filter { !wanted.isDisjoint(with: try tx.signals(ofAlert: $0.id).map(\.id)) }
                .sorted { $0.id < $1.id }.prefix(1).map { $0 }
        }
    }

    func workCases(_ stories: [DemoStories.Story], world: DemoWorld, clock: DemoClock) throws -> Int {
        var takeovers: [Alert] = [], edr: [Alert] = [], scans: [Alert] = []
        for story in stories where !story.signalIDs.isEmpty {
            switch story.kind {
            case .takeover(let n):
                let login = world.people[n].login
                takeovers += try alert(of: "sso-new-location-then-duo-failures", key: "user.name=\(Identifier.fold(login))", holding: story.signalIDs)
            case .edr(let host, _):
                edr += try alert(of: "repeated-carbonblack-alerts", key: "host.name=\(GroupKeys.host(host.name))", holding: story.signalIDs)
            case .scan(let source, let port):
                scans += try alert(of: "ids-scan-one-port", key: "source.ip=\(source),destination.port=\(port)", holding: story.signalIDs)
            case .travel:
                continue
            }
        }

        func as_(_ login: String, at alert: Alert, plus minutes: Int) -> Engine {
            clock.now = (alert.lastSignalAt ?? alert.createdAt).adding(seconds: Int64(minutes * 60))
            return acting(as: Actor(name: login, isAdmin: false))
        }
        var cases = 0

        // An account takeover, worked by SOC and shared read-only with IR.
        if let alert = takeovers.first {
            let login = alert.groupKey.replacingOccurrences(of: "user.name=", with: "")
            let c = try as_("ana.silva", at: alert, plus: 9).openCase(NewCase(
                title: "Possible account takeover: \(login)", description: "Okta login from a new country followed by failed Duo pushes.",
                severity: .high, tlp: .amber, pap: .amber, owner: "ana.silva", team: "soc", tags: ["account-takeover", "okta", "duo"],
                customFields: ["business_unit": "corporate"], alertIDs: [alert.id]))
            try as_("ana.silva", at: alert, plus: 12).setStatus(c.id, to: .inProgress)
            try as_("ana.silva", at: alert, plus: 20).addNote(c.id, "Called \(login): they are at home and did not log in. Pushes were not theirs. Session revoked in Okta, password reset forced.")
            try as_("ana.silva", at: alert, plus: 22).share(c.id, with: "ir", level: .read)
            try as_("ana.silva", at: alert, plus: 95).setStatus(c.id, to: .resolved, resolution: .truePositive, comment: "Credentials reset; no further activity")
            try as_("maya.ortiz", at: alert, plus: 300).setStatus(c.id, to: .closed, resolution: .truePositive)
            cases += 1
        }
        // A second takeover still being worked.
        if takeovers.count > 1 {
            let alert = takeovers[1]
            let c = try as_("ben.okafor", at: alert, plus: 30).openCase(NewCase(
                title: alert.title, severity: .high, owner: "ben.okafor", team: "soc", tags: ["account-takeover"], alertIDs: [alert.id]))
            try as_("ben.okafor", at: alert, plus: 34).setStatus(c.id, to: .inProgress)
            try as_("ben.okafor", at: alert, plus: 40).addNote(c.id, "Asked the user on Slack whether the login was theirs; waiting for a reply.")
            try as_("ben.okafor", at: alert, plus: 41).setStatus(c.id, to: .onHold, comment: "waiting for the user")
            cases += 1
        }
        // Repeated EDR alerts: IR takes it over; a correction fixes a wrong note.
        var edrCase: Int64?
        if let alert = edr.first {
            let host = alert.groupKey.replacingOccurrences(of: "host.name=", with: "")
            let c = try as_("chen.wei", at: alert, plus: 15).openCase(NewCase(
                title: "Malware on \(host)", description: "Carbon Black reported the same payload several times.", severity: .critical,
                tlp: .red, pap: .red, team: "soc", tags: ["malware", "edr"], alertIDs: [alert.id]))
            let wrong = try as_("chen.wei", at: alert, plus: 18).addNote(c.id, "Host isolated in Carbon Black at 14:05 UTC.")
            try as_("chen.wei", at: alert, plus: 21).correct(c.id, entry: wrong.seq, "Correction: the host was isolated at 15:05 UTC, not 14:05.")
            try as_("chen.wei", at: alert, plus: 25).addArtifact(c.id, ArtifactMention(.domain, "update-check-cdn.net", role: "c2"))
            try as_("chen.wei", at: alert, plus: 26).share(c.id, with: "ir", level: .write)
            try as_("chen.wei", at: alert, plus: 27).assign(c.id, to: "dana.kim")
            try as_("dana.kim", at: alert, plus: 60).setStatus(c.id, to: .inProgress)
            try as_("dana.kim", at: alert, plus: 75).addNote(c.id, "Memory image taken; payload beacons to update-check-cdn.net every 60 s.")
            edrCase = c.id
            cases += 1
        }
        // The same payload on a second host: opened separately, then merged into the first case.
        if edr.count > 1, let target = edrCase {
            let alert = edr[1]
            let c = try as_("chen.wei", at: alert, plus: 10).openCase(NewCase(
                title: alert.title, severity: .critical, team: "soc", tags: ["malware"], alertIDs: [alert.id]))
            try as_("chen.wei", at: alert, plus: 12).addNote(c.id, "Same SHA-256 as the earlier malware case.")
            try as_("maya.ortiz", at: alert, plus: 40).mergeCase(c.id, into: target)
            try as_("dana.kim", at: alert, plus: 90).setStatus(target, to: .closed, resolution: .truePositive, comment: "Both hosts reimaged")
            cases += 1
        }
        // A scanner: looked at, judged benign noise, closed.
        if let alert = scans.first {
            let c = try as_("ana.silva", at: alert, plus: 45).openCase(NewCase(
                title: alert.title, severity: .medium, tlp: .green, pap: .green, team: "soc", tags: ["scan"], alertIDs: [alert.id]))
            try as_("ana.silva", at: alert, plus: 50).addNote(c.id, "Internet-wide scanner; port closed at the perimeter, nothing answered.")
            try as_("ana.silva", at: alert, plus: 51).setStatus(c.id, to: .closed, resolution: .benign)
            cases += 1
        }
        // A case opened by hand from a phishing report, with artifacts typed in by IR.
        if let alert = takeovers.last {
            let ir = as_("eli.cohen", at: alert, plus: 120)
            let c = try ir.openCase(NewCase(
                title: "Phishing report: fake invoice", description: "Reported by a user through the phish button.", severity: .medium,
                owner: "eli.cohen", team: "ir", tags: ["phishing"]))
            try ir.addArtifact(c.id, ArtifactMention(.email, "billing@invoices-example.net", role: "sender"))
            try ir.addArtifact(c.id, ArtifactMention(.url, "https://invoices-example.net/view?id=88231", role: "url"))
            try ir.addArtifact(c.id, ArtifactMention(.domain, "update-check-cdn.net", role: "related"))
            try ir.setStatus(c.id, to: .onHold, comment: "waiting for mail gateway logs")
            cases += 1
        }
        return cases
    }
}
