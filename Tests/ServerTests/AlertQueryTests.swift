import Model
import Testing
@testable import Server

/// The query language of `POST /api/v1/query` on its own: what each operator matches, and that
/// no body makes it do unbounded work.
@Suite struct AlertQueryTests {
    static let alerts: [(id: Int64, fields: [String: JSONValue])] = [
        (1, ["_id": "~1", "title": "Impossible travel for jdoe", "severity": 2, "tags": ["travel", "vip"], "date": 1000]),
        (2, ["_id": "~2", "title": "Phishing reported", "severity": 3, "tags": ["phishing"], "date": 2000]),
        (3, ["_id": "~3", "title": "Noisy scanner", "severity": 1, "tags": [], "date": 3000]),
    ]

    func ids(_ body: String) throws -> [Int64] {
        guard case .alerts(let ids) = try AlertQuery.parse(try JSONValue.parse(Array(body.utf8))).run(Self.alerts) else { return [-1] }
        return ids
    }

    func filter(_ f: String) throws -> [Int64] { try ids(#"{"query": [{"_name": "listAlert"}, {"_name": "filter", \#(f)}]}"#) }

    @Test func operatorsMatchAsTheHivesDo() throws {
        #expect(try filter(#""_eq": {"_field": "tags", "_value": "vip"}"#) == [1])
        #expect(try filter(#""_ne": {"_field": "severity", "_value": 2}"#) == [2, 3])
        #expect(try filter(#""_between": {"_field": "date", "_from": 1000, "_to": 3000}"#) == [1, 2])
        #expect(try filter(#""_startsWith": {"_field": "title", "_value": "noisy"}"#) == [3])
        #expect(try filter(#""_endsWith": {"_field": "title", "_value": "JDOE"}"#) == [1])
        #expect(try filter(#""_like": {"_field": "title", "_value": "imp*for*"}"#) == [1])
        #expect(try filter(#""_like": {"_field": "title", "_value": "*report*x"}"#) == [])
        #expect(try filter(#""_not": {"_in": {"_field": "severity", "_values": [1, 3]}}"#) == [1])
        #expect(try filter(#""_id": "~2""#) == [2])
        #expect(try filter(#""_field": "severity", "_value": 3"#) == [2])
        #expect(try filter(#""_any": null"#) == [1, 2, 3])
        #expect(try ids(#"{"query": [{"_name": "listAlert"}, {"_name": "sort", "_fields": [{"date": "desc"}]}, {"_name": "page", "from": 1, "to": 5}]}"#) == [2, 1])
        let count = try AlertQuery.parse(try JSONValue.parse(Array(#"{"query": [{"_name": "listAlert"}, {"_name": "count"}]}"#.utf8))).run(Self.alerts)
        guard case .count(let n) = count else { Issue.record("no count"); return }
        #expect(n == 3)
    }

    @Test func globsAreLinear() {
        #expect(AlertQuery.glob("a*b*c", "abxbc"))
        #expect(!AlertQuery.glob("ab*b", "ab"))
        #expect(AlertQuery.glob("*", ""))
        // A pattern that makes a backtracking matcher take exponential time answers at once.
        let text = String(repeating: "a", count: 65_536)
        #expect(!AlertQuery.glob(String(repeating: "*a", count: 120) + "b", text))
    }

    @Test func everyBoundHolds() throws {
        let tooManyLikes = (0..<17).map { #"{"_like": {"_field": "title", "_value": "x\#($0)"}}"# }.joined(separator: ",")
        #expect(throws: TheHiveRoutes.HiveError.self) { try filter(#""_or": [\#(tooManyLikes)]"#) }
        #expect(throws: TheHiveRoutes.HiveError.self) { try filter(#""_like": {"_field": "title", "_value": "\#(String(repeating: "x", count: 300))"}"#) }
        #expect(throws: TheHiveRoutes.HiveError.self) { try filter(#""_in": {"_field": "severity", "_values": [\#((0...1000).map(String.init).joined(separator: ","))]}"#) }
        #expect(throws: TheHiveRoutes.HiveError.self) { try ids(#"{"query": [\#((0...16).map { _ in #"{"_name": "listAlert"}"# }.joined(separator: ","))]}"#) }
        #expect(throws: TheHiveRoutes.HiveError.self) { try ids(#"{"query": [{"_name": "listAlert"}, {"_name": "sort", "_fields": [{"title": "sideways"}]}]}"#) }
        #expect(throws: TheHiveRoutes.HiveError.self) { try ids(#"{"query": [{"_name": "listAlert"}, {"_name": "page", "from": 20000, "to": 20001}]}"#) }
        #expect(throws: TheHiveRoutes.HiveError.self) { try ids(#"{"query": [{"_name": "listAlert"}], "extra": 1}"#) }
    }
}
