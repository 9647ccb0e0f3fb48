import Model
import Testing
@testable import SignalServer

@Suite struct KindLookupTests {
    @Test func findsKindsTheWayAnalystsWriteThem() {
        #expect(SignalKind.find("SSO login from a new location")?.name == "okta.sso.new_location")
        #expect(SignalKind.find("failed Duo pushes")?.name == "duo.push.failed")
        #expect(SignalKind.find("CarbonBlack alerts")?.name == "cbc.alert")
        #expect(SignalKind.find("IDS Alerts")?.name == "suricata.alert")
        #expect(SignalKind.find("no such thing") == nil)
        #expect(SignalKind.nearest("failed Duo pushs").first?.name == "duo.push.failed")
    }
}
