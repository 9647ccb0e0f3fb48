import Foundation
import Model
import Testing
@testable import AlertEngine

@Suite struct OktaTests {
    @Test func readsSystemLogEvents() throws {
        let (signals, rejected) = try Fixture.normalize("okta.json")
        #expect(rejected.isEmpty)
        try #require(signals.count == 3)
        let login = signals[0]
        #expect(login.kind == .oktaNewLocation)
        #expect(login.kind.displayName == "SSO login from a new location")
        #expect(login.source == "okta" && login.sourceRef == "f6b0e2a4-7c1d-11ee-9c2a-2b7d4a1e0c11")
        #expect(login.time == Timestamp(parsing: "2026-11-02T14:03:11.245Z"))
        #expect(login.severity == .medium)
        // actor.alternateId as Okta wrote it, in both (issue 13).
        #expect(login.field("user.name") == "Jane.Doe@example.com")
        #expect(login.field("user.email") == "Jane.Doe@example.com")
        #expect(login.field("source.ip") == "185.220.101.4")
        #expect(login.field("source.geo.country_name") == "Romania")
        #expect(login.field("event.outcome") == "success")
        #expect(login.fields["okta.new_geo_location"] == .bool(true))
        #expect(login.raw.hasPrefix("{") && login.raw.contains("\"uuid\": \"f6b0e2a4"))
        #expect(signals[1].kind == .oktaLoginFailed)
        #expect(signals[1].field("event.reason") == "INVALID_CREDENTIALS")
        #expect(signals[2].kind == .oktaEvent)
        #expect(signals[2].field("okta.target.alternate_id") == "john.roe@example.com")
    }
}

@Suite struct DuoTests {
    @Test func readsAuthenticationLogs() throws {
        let (signals, rejected) = try Fixture.normalize("duo.ndjson")
        #expect(rejected.isEmpty)
        try #require(signals.count == 4)
        #expect(signals.map(\.kind) == [.duoPushFailed, .duoPushFailed, .duoAuth, .duoAuthFailed])
        let fraud = signals[0]
        #expect(fraud.kind.displayName == "failed Duo push")
        #expect(fraud.severity == .high)
        #expect(fraud.sourceRef == "340a23e3-23f3-4d15-a2f5-0e3b3a4c5d6e")
        #expect(fraud.time == Timestamp(parsing: "2026-11-02T14:05:40Z"))
        #expect(fraud.field("user.name") == "jane.doe")
        #expect(fraud.field("factor") == "push")
        // ECS's outcome words; Duo's own result beside them (issue 13).
        #expect(fraud.field("event.outcome") == "failure" && fraud.field("duo.result") == "fraud")
        #expect(signals[2].field("event.outcome") == "success")
        #expect(fraud.field("source.ip") == "185.220.101.4")
        #expect(fraud.field("event.reason") == "user_marked_fraud")
        #expect(signals[1].title.contains("timed out"))
        #expect(signals[3].field("factor") == "passcode")
    }
}
