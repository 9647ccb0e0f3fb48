import Credentials
import Foundation
import StandIn
import Testing
@testable import Positron

/// The HTTP plugin against a real server on 127.0.0.1.
@Suite struct HTTPPluginTests {
    final class IntelAPI {
        private let server: StandIn
        let port: Int

        init() throws {
            let script = try #require(Bundle.module.url(forResource: "intel_api", withExtension: "py", subdirectory: "Fixtures"))
            server = try StandIn(python: [script.path])
            port = server.port
        }
    }

    func router(_ api: IntelAPI, key: String = "intel-key-42") throws -> Router {
        let yaml = """
            plugins:
              - name: intel
                type: http
                url: "http://127.0.0.1:\(api.port)/ip/{value}"
                headers: { key: "${secret:intel_key}" }
                timeout: 5s
                queries:
                  IP_REPUTATION: { answer: "", fields: { verdict: classification, score: noise } }
            """
        return try PositronConfig.parse(yaml: yaml, file: "/tmp/positron.yaml", secrets: Secrets(values: ["intel_key": key], environment: [:])).router
    }

    func failure(_ result: QueryResult) -> String? {
        if case .failed(let why)? = result.outcomes.first?.result { return why }
        return nil
    }

    @Test func answersErrorsHTMLAndTimeouts() throws {
        let api = try IntelAPI()
        let r = try router(api)
        let good = try r.ask("IP_REPUTATION", "1.2.3.4")
        #expect(good.answers.first?.fields == ["verdict": "malicious", "score": "true"] && good.answers.first?.plugins == ["intel"])
        #expect(try r.ask("IP_REPUTATION", "8.8.8.8").answers.isEmpty)  // 404: not seen
        #expect(failure(try r.ask("IP_REPUTATION", "5.5.5.5"))?.contains("not JSON") == true)
        #expect(failure(try r.ask("IP_REPUTATION", "6.6.6.6"))?.contains("HTTP 500") == true)
        // The server holds 7.7.7.7 for 60 s; the plugin gives up at its own 5 s timeout. The bound is
        // far from both so a loaded CI machine cannot flip it: it proves the router did not wait.
        let t0 = Date()
        let slow = try r.ask("IP_REPUTATION", "7.7.7.7")
        #expect(Date().timeIntervalSince(t0) < 40)
        // libcurl's own timeout (the plugin's) or the router's deadline, whichever fires first.
        #expect(slow.outcomes.first?.result == .timedOut || failure(slow)?.contains("Timeout") == true)
    }

    /// A remote that answers without end is cut off at the client's response limit (64 MiB), with
    /// a reason, instead of growing taser's memory with it.
    @Test func anEndlessAnswerIsCutOff() throws {
        let api = try IntelAPI()
        let why = try #require(failure(try router(api).ask("IP_REPUTATION", "9.9.9.9")))
        #expect(why.contains("larger than 64 MiB"), "\(why)")
    }

    @Test func aWrongKeyIsReportedWithoutTheKey() throws {
        let api = try IntelAPI()
        let result = try router(api, key: "wrong-secret-value").ask("IP_REPUTATION", "1.2.3.4")
        let why = try #require(failure(result))
        #expect(why.contains("HTTP 401") && !why.contains("wrong-secret-value"))
    }
}
