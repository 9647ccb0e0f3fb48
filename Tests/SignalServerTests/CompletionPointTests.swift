import Model
import Testing
@testable import SignalServer

/// Where completion stands in rule text as it is typed (the cursor is `|`).
@Suite struct CompletionPointTests {
    func point(_ marked: String) -> CompletionPoint? {
        let chars = Array(marked)
        let cursor = chars.firstIndex(of: "|") ?? chars.count
        return CompletionPoint.at(cursor, in: String(chars.filter { $0 != "|" }))
    }

    /// What an accepted `insert` makes of the text.
    func accept(_ marked: String, _ insert: String) -> String? {
        guard let p = point(marked) else { return nil }
        var chars = Array(marked.filter { $0 != "|" })
        chars.replaceSubrange(p.range, with: Array(insert))
        return String(chars)
    }

    @Test func aKindAfterAClausesCount() throws {
        #expect(point("[ (2 |") == CompletionPoint(slot: .kind(count: 2), typed: "", range: 5..<5))
        #expect(point("(1 |")?.slot == .kind(count: 1))
        // The words typed so far narrow it, and are what is replaced (with the rest of the word).
        #expect(point("[ (2 failed Du|") == CompletionPoint(slot: .kind(count: 2), typed: "failed Du", range: 5..<14))
        #expect(accept("[ (2 failed Du|o pu) ] IN 4h", "failed Duo pushes") == "[ (2 failed Duo pushes pu) ] IN 4h")
        #expect(accept("(1 SSO login) + (2 fail|", "failed Duo pushes") == "(1 SSO login) + (2 failed Duo pushes")
        // After DISTINCT f OF, the kind too.
        #expect(point("(3 DISTINCT dst_port OF |")?.slot == .kind(count: 3))
        // Still the count, a window, a filter's number: nothing.
        for text in ["[ (2|", "[ (|", "[ |", "(2 x) IN [ 4 |", "(2 failed Duo pushes 3|", "(2 failed Duo pushes) |", "# (2 |"] {
            #expect(point(text) == nil, "\(text)")
        }
    }

    @Test func fieldsOfTheRulesKindsInTheGroupBy() throws {
        let rule = "[ (2 failed Duo pushes WHERE factor = \"push\") + (1 SSO login) ] IN [ 4 Hours ] WITH ["
        #expect(point(rule + "|")?.slot == .field(kinds: ["duo.push.failed", "okta.sso.login"]))
        #expect(point(rule + " user.na|") == CompletionPoint(slot: .field(kinds: ["duo.push.failed", "okta.sso.login"]), typed: "user.na",
                                                         range: rule.count + 1..<rule.count + 8))
        #expect(point(rule + " user.name, |")?.slot == .field(kinds: ["duo.push.failed", "okta.sso.login"]))
        #expect(point("(2 CarbonBlack alerts) IN 24h WITH |")?.slot == .field(kinds: ["cbc.alert"]))
        // A kind typed after the cursor counts; one that is no kind does not.
        #expect(point("(2 IDS alerts) + (1 no such thing) IN 1h WITH [ |")?.slot == .field(kinds: ["suricata.alert"]))
        #expect(accept(rule + " hos|t ] IN COMMON", "host.name") == rule + " host.name ] IN COMMON")
        for text in [rule + " user.name |", rule + " user.name ] |", rule + " user.name ] IN |", "(2 nothing known) IN 1h WITH [ |"] {
            #expect(point(text) == nil, "\(text)")
        }
    }

    @Test func fieldsOfTheClausesKindInItsFilter() throws {
        #expect(point("(2 failed Duo pushes WHERE |")?.slot == .field(kinds: ["duo.push.failed"]))
        #expect(point("(2 failed Duo pushes WHERE factor = \"push\" AND fa|")?.slot == .field(kinds: ["duo.push.failed"]))
        #expect(point("(2 IDS alerts WHERE NOT (|")?.slot == .field(kinds: ["suricata.alert"]))
        #expect(point("(3 DISTINCT d| OF IDS alerts)")?.slot == .field(kinds: ["suricata.alert"]))
    }

    @Test func valuesOfTheFieldInTheClausesKind() throws {
        let duo = CompletionPoint.Slot.value(field: "factor", kind: "duo.push.failed")
        #expect(point("(2 failed Duo pushes WHERE factor = |") == CompletionPoint(slot: duo, typed: "", range: 36..<36))
        #expect(point("(2 failed Duo pushes WHERE factor != pu|")?.slot == duo)
        // Quotes not closed yet: the value is what follows the quote; the closing quote after
        // the cursor is replaced too.
        #expect(point("(2 failed Duo pushes WHERE factor = \"pu|") == CompletionPoint(slot: duo, typed: "pu", range: 36..<39))
        #expect(accept("(2 failed Duo pushes WHERE factor = \"pu|sh\") IN 4h", "\"push\"") == "(2 failed Duo pushes WHERE factor = \"push\") IN 4h")
        #expect(point("(2 failed Duo pushes WHERE factor IN (|")?.slot == duo)
        #expect(point("(2 failed Duo pushes WHERE factor IN (\"push\", sms, |")?.slot == duo)
        // Aliases resolve to the ECS name the signals hold.
        #expect(point("(1 SSO login WHERE username = |")?.slot == .value(field: "user.name", kind: "okta.sso.login"))
        for text in ["(2 failed Duo pushes WHERE factor = \"push\" |", "(2 failed Duo pushes WHERE factor > |",
                     "(2 unknown kind WHERE factor = |", "(2 failed Duo pushes) IN 4h WHERE factor = |"] {
            #expect(point(text) == nil, "\(text)")
        }
    }

    @Test func valuesAndKindsAsRuleTextReadBackTheSame() throws {
        #expect(RuleWords.literal(.string("push")) == "\"push\"")
        #expect(RuleWords.literal(.string(#"a "b" \c"#)) == #""a \"b\" \\c""#)
        #expect(RuleWords.literal(.int(22)) == "22" && RuleWords.literal(.bool(true)) == "true")
        #expect(RuleWords.literal(.string("two\nlines")) == nil && RuleWords.literal(.null) == nil)
        let tokens = try Lexer.tokens("x = " + (RuleWords.literal(.string(#"a "b" \c"#)) ?? ""))
        #expect(tokens[2].text == #"a "b" \c"#)

        #expect(RuleWords.kind(.duoPushFailed, count: 2) == "failed Duo pushes")
        #expect(RuleWords.kind(.duoPushFailed, count: 1) == "failed Duo push")
        #expect(RuleWords.kind(.oktaNewLocation, count: 3) == "SSO logins from a new location")
        // "DNS queries" would not read back as the kind: the singular stays.
        #expect(RuleWords.kind(.idsDNS, count: 2) == "DNS query")
        for kind in SignalKind.catalog {
            #expect(SignalKind.find(RuleWords.kind(kind, count: 2)) == kind, "\(kind.name)")
        }
    }
}
