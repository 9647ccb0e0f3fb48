import AlertEngine
import Credentials
import Foundation
import Model
import Positron
import SignalServer
import Testing
@testable import Engine
@testable import Store

/// One person, one identity: identifiers linked by records, by USER_INFO, by an identities
/// file and by hand; rules group by the identity, pivots follow it, and a removed link stays
/// removed.
@Suite struct IdentityTests {
    func at(_ ms: Int64) -> Timestamp { Timestamp(ms: ms) }

    @Test func linksMergeIdentitiesAndTheLabelIsTheLogin() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let changed: [Bool] = try store.write { tx in
            [
                try tx.link(Identifier(naming: "Jane.Doe@Example.com"), Identifier("00u1a2b3", kind: .vendorID), source: "okta", at: at(1)),
                try tx.link(Identifier(naming: "jane.doe"), Identifier("jane.doe@example.com", kind: .email), source: "duo", at: at(2)),
                // Known already (folded), or the same value: nothing changes.
                try tx.link(Identifier(naming: "JANE.DOE"), Identifier(naming: "Jane.Doe@example.com"), source: "duo", at: at(3)),
                try tx.link(Identifier(naming: "a"), Identifier(naming: "A"), source: "x", at: at(3)),
            ]
        }
        #expect(changed == [true, true, false, false])
        let labels = try store.read { tx in try tx.identityLabels(of: ["00U1A2B3", "Jane.Doe@Example.com", "jane.doe", "nobody"]) }
        #expect(labels == ["00u1a2b3": "jane.doe", "jane.doe@example.com": "jane.doe", "jane.doe": "jane.doe"])
        let records = try store.read { tx in try tx.identityRecords() }
        #expect(records.count == 1)
        #expect(records.first?.identifiers.map(\.value) == ["00u1a2b3", "jane.doe", "jane.doe@example.com"])
        #expect(records.first?.links.map(\.source) == ["okta", "duo"])
    }

    /// A shared mailbox in many people's records would make everyone one identity: links stop
    /// at the largest size one person plausibly has.
    @Test func aSharedIdentifierDoesNotMergeEveryone() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let shared = Identifier("soc-team@example.com", kind: .email)
        let learned = try store.write { tx in
            try (0..<100).map { n in try tx.link(Identifier(naming: "user\(n)"), shared, source: "duo", at: at(Int64(n))) }
        }
        #expect(learned.filter { $0 }.count == Tx.mostOfAKind)
        let records = try store.read { tx in try tx.identityRecords() }
        #expect(records.allSatisfy { $0.identifiers.filter { $0.kind == .login }.count <= Tx.mostOfAKind })
        #expect(records.count == 1, "the others are linked to nobody")
    }

    @Test func aRemovedLinkSplitsTheIdentityAndStaysRemoved() throws {
        let soc = try SOC()
        let engine = soc.ana
        #expect(try engine.linkIdentifiers("jdoe", "jane.doe@example.com"))
        #expect(try engine.linkIdentifiers("jane.doe", "jane.doe@example.com"))
        #expect(try engine.identities().count == 1)
        try engine.unlinkIdentifiers("JDOE", "jane.doe@example.com")
        let after = try engine.identities()
        #expect(after.map(\.label).sorted() == ["jane.doe", "jdoe"])
        // A record carrying the pair again does not bring it back.
        let relearned = try engine.store.write { tx in try tx.link(Identifier(naming: "jdoe"), Identifier(naming: "jane.doe@example.com"), source: "duo", at: at(9)) }
        #expect(!relearned)
        #expect(try engine.identities().count == 2)
        // Bad input: one clear error each, nothing changed.
        #expect(throws: EngineError.self) { try engine.unlinkIdentifiers("jdoe", "jane.doe@example.com") }
        #expect(throws: EngineError.self) { try engine.linkIdentifiers("Jane", "jane") }
        #expect(throws: EngineError.self) { try engine.linkIdentifiers(" ", "jane") }
        #expect(try engine.identities().count == 2)
    }

    @Test func positronsUserInfoLinksTheEmailItAnswers() throws {
        let soc = try SOC()
        try "login,email,title\njane.doe,Jane.Doe@Example.com,CFO\n".write(toFile: soc.dir.file("hr.csv"), atomically: true, encoding: .utf8)
        let config = try PositronConfig.parse(
            yaml: "plugins:\n  - { name: hr, type: table, file: hr.csv, queries: { USER_INFO: { key: login, answer: { email: email, title: title } } } }\n",
            file: soc.dir.file("positron.yaml"), secrets: Secrets(values: [:], environment: [:]))
        _ = try soc.alert(user: "jane.doe")
        let jane = try #require(try soc.admin.store.read { tx in try tx.artifact(type: .user, value: "jane.doe") })
        _ = try soc.admin.enrich([jane], with: config)
        let identity = try #require(try soc.admin.identities(matching: "jane").first)
        #expect(identity.identifiers.map(\.value) == ["jane.doe", "jane.doe@example.com"])
        #expect(identity.links.first?.source == "positron:USER_INFO")
    }

    @Test func hostsAndPeopleReadAsOneKey() {
        #expect(GroupKeys.host("LT-KLOPE47.corp.example.com") == "lt-klope47")
        #expect(GroupKeys.host("CORP\\LT-KLOPE47") == "lt-klope47")
        #expect(GroupKeys.host("lt-klope47") == "lt-klope47")
        #expect(GroupKeys.host("10.20.30.40") == "10.20.30.40")
        #expect(GroupKeys.host("2001:db8::1") == "2001:db8::1")
        #expect(GroupKeys().value(of: "host.name", "CORP\\") == "corp\\")
        let keys = GroupKeys(identities: ["jane.doe@example.com": "jane.doe"])
        #expect(keys.value(of: "user.name", "Jane.Doe@Example.com") == "jane.doe")
        #expect(keys.value(of: "user.name", "Someone.Else") == "someone.else")
        // Other values fold too (Sigma compares ignoring case), unless the rule keeps case.
        #expect(keys.value(of: "process.name", "CMD.exe") == "cmd.exe")
        #expect(keys.value(of: "process.name", "CMD.exe", cased: true) == "CMD.exe")
        #expect(keys.value(of: "user.name", "Jane.Doe@Example.com", cased: true) == "jane.doe", "people are identities, whatever the case")
    }

    @Test func aPivotOnAnyNameOfAMachineReachesTheOthers() throws {
        let soc = try SOC()
        var batch: [NewSignal] = []
        for (n, name) in ["LT-KLOPE47.corp.example.com", "lt-klope47", "CORP\\LT-KLOPE47", "lt-klope470", "lt_klope47"].enumerated() {
            batch.append(NewSignal(
                time: Timestamp(ms: 1_000 + Int64(n)), source: "t", sourceRef: "h\(n)", kind: "cbc.alert", severity: .low, title: "t",
                fields: ["host.name": .string(name)], raw: "{}", artifacts: [ArtifactMention(.host, Identifier.fold(name), role: "host")]))
        }
        _ = try SignalWriter(store: soc.admin.store).write(batch)
        for asked in ["lt-klope47", "LT-KLOPE47.corp.example.com", "CORP\\LT-KLOPE47"] {
            let reached = Set(try soc.ana.pivot(asked).map(\.artifact.value))
            // Another machine whose name starts alike, or differs by a LIKE wildcard, is not it.
            #expect(reached == ["lt-klope47.corp.example.com", "lt-klope47", "corp\\lt-klope47"], "\(asked): \(reached)")
        }
    }

    @Test func identitiesFilesInCSVAndYAML() throws {
        let dir = TempDir()
        let csv = dir.file("hr.csv")
        try "Login,E-Mail,Domain,Display Name,okta_id\njane.doe,Jane.Doe@Example.com,CORP,Jane Doe,00u1a2b3\nsolo,,,,\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let people = try IdentitiesFile.read(path: csv)
        // E-Mail is not a known column; the rest are, and a row of one identifier links nothing.
        #expect(people.count == 1)
        #expect(people[0].map(\.value) == ["jane.doe", "corp\\jane.doe", "00u1a2b3"])
        let mail = dir.file("hr2.csv")
        try "login,email\njane.doe,Jane.Doe@Example.com\n".write(toFile: mail, atomically: true, encoding: .utf8)
        #expect(try IdentitiesFile.read(path: mail)[0].map(\.value) == ["jane.doe", "jane.doe@example.com"])

        let yaml = dir.file("people.yaml")
        try "people:\n  - login: ben.o\n    email: [ben@example.com, b.okafor@example.com]\n    aliases: okafor;BEN\n".write(toFile: yaml, atomically: true, encoding: .utf8)
        let fromYAML = try IdentitiesFile.read(path: yaml)
        #expect(fromYAML.first?.map(\.value) == ["ben", "ben.o", "okafor", "b.okafor@example.com", "ben@example.com"])

        let soc = try SOC()
        let result = try soc.ana.importIdentities(people + fromYAML, from: "hr.csv")
        #expect(result.people == 2 && result.links == 6)
        #expect(try soc.ana.identities().first { $0.label == "jane.doe" }?.links.allSatisfy { $0.source == "file:hr.csv" } == true)

        // Bad files: one line saying what and where.
        let empty = dir.file("empty.csv")
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        let noColumns = dir.file("names.csv")
        try "name,title\nJane,CISO\n".write(toFile: noColumns, atomically: true, encoding: .utf8)
        let badYAML = dir.file("bad.yaml")
        try "- login: [unclosed\n".write(toFile: badYAML, atomically: true, encoding: .utf8)
        let nested = dir.file("nested.yaml")
        try "- login: {a: b}\n".write(toFile: nested, atomically: true, encoding: .utf8)
        for (path, words) in [(empty, "empty"), (noColumns, "no identifier columns"), (badYAML, "not YAML"), (nested, "person 1"), (dir.file("missing.csv"), "cannot read")] {
            do {
                _ = try IdentitiesFile.read(path: path)
                Issue.record("\(path) was accepted")
            } catch let problem as IdentitiesFile.Problem {
                #expect(problem.description.contains(words) && !problem.description.contains("\n"), "\(problem.description)")
            }
        }
    }

    /// Okta's sign-in names the person by email, Duo by login with the email beside it: the
    /// Duo record links them, and the account-takeover rule groups them as one person.
    @Test func aRuleGroupsOnePersonSeenByTwoVendors() throws {
        let soc = try SOC()
        let engine = soc.admin
        _ = try engine.addRule(
            name: "sso-then-duo", text: "[ (1 SSO login from a new location) + (2 failed Duo pushes) ] IN [ 4 Hours ] WITH [ username ] IN COMMON",
            enable: true)
        func signal(_ ref: String, _ kind: String, _ ms: Int64, _ fields: [String: JSONValue]) -> NewSignal {
            var s = NewSignal(
                time: Timestamp(ms: 1_790_000_000_000 + ms), source: kind.hasPrefix("okta") ? "okta" : "duo", sourceRef: ref, kind: kind, severity: .medium,
                title: "t", fields: fields, raw: ref, artifacts: [ArtifactMention(.user, Identifier.fold(fields["user.name"]?.stringValue ?? ""), role: "user")])
            s.identifiers = Identifier.ofUser(name: fields["user.name"]?.stringValue, email: fields["user.email"]?.stringValue, id: fields["user.id"]?.stringValue)
            return s
        }
        let okta = signal("o1", "okta.sso.new_location", 0, ["user.name": "Jane.Doe@Example.com", "user.email": "Jane.Doe@Example.com", "user.id": "00u1a2b3"])
        let duo1 = signal("d1", "duo.push.failed", 60_000, ["user.name": "jane.doe", "user.email": "jane.doe@example.com"])
        let duo2 = signal("d2", "duo.push.failed", 120_000, ["user.name": "jane.doe", "user.email": "jane.doe@example.com"])
        let ingester = try engine.ingester()
        let outcome = try engine.store.write { tx in
            let result = try SignalWriter(store: engine.store).write([okta, duo1, duo2], in: tx)
            return try ingester.afterBatch?(tx, [okta, duo1, duo2], result)
        }
        #expect(outcome?.alertsCreated == 1)
        let alert = try #require(try engine.alerts().first)
        #expect(alert.groupKey == "user.name=jane.doe")
        let detail = try engine.alertDetail(alert.id)
        #expect(detail.people.count == 1)
        #expect(detail.people.first?.seen == ["Jane.Doe@Example.com", "00u1a2b3", "jane.doe@example.com", "jane.doe"])
        // The simulation groups as live evaluation does.
        #expect(try engine.simulate(try engine.compiledRule(named: "sso-then-duo")).alerts.map(\.key) == ["user.name=jane.doe"])
        // A pivot on any of her names reaches every artifact of the others.
        let pivots = try engine.pivot("JANE.DOE@EXAMPLE.COM")
        #expect(Set(pivots.map(\.artifact.value)) == ["jane.doe@example.com", "jane.doe"])
    }
}
