import Credentials
import Model
import Testing

@testable import Server

/// The timeout rules of one connection, driven without a socket: instants are nanoseconds.
@Suite struct RequestClockTests {
    static let s: Int64 = 1_000_000_000
    static let timeouts = ServeConfig.Timeouts(head: .seconds(10), body: .seconds(10), bodyRate: 1024, idle: .seconds(60))

    @Test func aSilentConnectionIsClosedAfterTheHeadTimeWithoutAnAnswer() {
        var clock = RequestClock(Self.timeouts, now: 0)
        clock.started(at: 5 * Self.s)
        #expect(clock.deadline == 15 * Self.s)
        #expect(clock.expiry(at: 14 * Self.s) == nil)
        #expect(clock.expiry(at: 15 * Self.s) == .close)
    }

    @Test func aHeadThatTricklesIsAnswered408FromItsFirstByte() {
        var clock = RequestClock(Self.timeouts, now: 0)
        clock.bytesArrived(at: 2 * Self.s)
        // More bytes of the same head do not move the deadline.
        clock.bytesArrived(at: 9 * Self.s)
        #expect(clock.deadline == 12 * Self.s)
        guard case .answer(let why) = clock.expiry(at: 12 * Self.s) else {
            Issue.record("expected a 408")
            return
        }
        #expect(why.contains("timeouts.head"))
    }

    @Test func aBodyMayNotPauseLongerThanTheBodyTime() {
        var clock = RequestClock(Self.timeouts, now: 0)
        clock.bytesArrived(at: 0)
        clock.headRead("POST /ingest/okta", at: 0)
        clock.bodyRead(10, at: 1 * Self.s)
        #expect(clock.expiry(at: 10 * Self.s) == nil)
        guard case .answer(let why) = clock.expiry(at: 11 * Self.s) else {
            Issue.record("expected a 408 after a pause")
            return
        }
        #expect(why.contains("timeouts.body"))
    }

    @Test func aSlowButSteadyUploadPassesAndATrickleDoesNot() {
        // 2 KiB every second: twice the least rate, never a pause.
        var honest = RequestClock(Self.timeouts, now: 0)
        honest.headRead("POST /ingest/okta", at: 0)
        for second in 1...300 {
            honest.bodyRead(2048, at: Int64(second) * Self.s)
            #expect(honest.expiry(at: Int64(second) * Self.s) == nil)
        }
        // 100 bytes every second: never a long pause, but far under 1 KiB/s.
        var trickle = RequestClock(Self.timeouts, now: 0)
        trickle.headRead("POST /ingest/okta", at: 0)
        var expired: RequestClock.Expiry?
        var second: Int64 = 0
        while expired == nil && second < 300 {
            second += 1
            trickle.bodyRead(100, at: second * Self.s)
            expired = trickle.expiry(at: second * Self.s)
        }
        guard case .answer(let why) = expired else {
            Issue.record("a trickle was never cut off")
            return
        }
        #expect(why.contains("timeouts.body_rate"))
        #expect(second < 20)
    }

    @Test func noDeadlineWhileServeOwesTheAnswerThenIdle() {
        var clock = RequestClock(Self.timeouts, now: 0)
        clock.bytesArrived(at: 0)
        clock.headRead("POST /api/simulate", at: 0)
        clock.requestRead(at: 1 * Self.s)
        #expect(clock.deadline == nil)
        clock.answerBegan(status: 200)
        clock.answerEnded(at: 500 * Self.s)
        #expect(clock.deadline == 560 * Self.s)
        #expect(clock.expiry(at: 560 * Self.s) == .close)
    }

    @Test func aPipelinedRequestsClockStartsWhenTheAnswersBeforeItAreDone() {
        var clock = RequestClock(Self.timeouts, now: 0)
        clock.headRead("POST /api/simulate", at: 0)
        clock.requestRead(at: 0)
        clock.headRead("POST /ingest/okta", at: 1 * Self.s)
        #expect(clock.deadline == nil)
        clock.answerBegan(status: 200)
        clock.answerEnded(at: 100 * Self.s)
        #expect(clock.deadline == 110 * Self.s)
    }

    @Test func aBodyStillComingAfterItsAnswerIsCutNotAnswered() {
        var clock = RequestClock(Self.timeouts, now: 0)
        clock.headRead("POST /ingest/okta", at: 0)
        clock.answerBegan(status: 401)
        clock.answerEnded(at: 1 * Self.s)
        guard case .cut = clock.expiry(at: 11 * Self.s) else {
            Issue.record("an answered request cannot get a 408")
            return
        }
        // An answer begun but not ended: the same.
        var begun = RequestClock(Self.timeouts, now: 0)
        begun.headRead("POST /ingest/okta", at: 0)
        begun.answerBegan(status: 100)
        guard case .answer = begun.expiry(at: 11 * Self.s) else {
            Issue.record("100 Continue is not an answer")
            return
        }
        begun.answerBegan(status: 200)
        guard case .cut = begun.expiry(at: 11 * Self.s) else {
            Issue.record("an answer under way cannot become a 408")
            return
        }
    }

    @Test func hugeBodiesAndLongLimitsDoNotOverflow() {
        let long = ServeConfig.Timeouts(head: .seconds(3600), body: .seconds(3600), bodyRate: 1, idle: .seconds(3600))
        var clock = RequestClock(long, now: Int64.max - 10 * Self.s)
        clock.headRead("POST /ingest/okta", at: Int64.max - 10 * Self.s)
        clock.bodyRead(Int.max, at: Int64.max - 5 * Self.s)
        #expect(clock.deadline != nil)
        #expect(clock.expiry(at: Int64.max - 5 * Self.s) == nil)
    }
}

/// serve.yaml's timeouts, grace and body limit: read through Span and ByteCount, every bad value
/// a one-line error naming the file and the key.
@Suite struct ServeConfigLimitsTests {
    static func parse(_ yaml: String) throws(ServeConfig.Problem) -> ServeConfig {
        try ServeConfig.parse(yaml: yaml, file: "serve.yaml", secrets: Secrets(values: [:]))
    }

    @Test func theDefaultsAndWhatAFileSays() throws {
        let plain = try Self.parse("listen: 127.0.0.1:8080\n")
        #expect(plain.timeouts == ServeConfig.Timeouts())
        #expect(plain.timeouts.head == .seconds(10) && plain.timeouts.body == .seconds(10))
        #expect(plain.timeouts.bodyRate == 1024 && plain.timeouts.idle == .seconds(60))
        #expect(plain.shutdownGrace == .seconds(10))

        let set = try Self.parse("timeouts: { head: 5s, body: 30s, body_rate: 4KiB/s, idle: 2m }\nshutdown_grace: 20s\nmax_body: 2MiB\n")
        #expect(set.timeouts == ServeConfig.Timeouts(head: .seconds(5), body: .seconds(30), bodyRate: 4096, idle: .seconds(120)))
        #expect(set.shutdownGrace == .seconds(20))
        #expect(set.maxBody == 2 << 20)
        #expect(try Self.parse("timeouts: { body_rate: 512 }\n").timeouts.bodyRate == 512)
    }

    @Test func aBadValueNamesTheFileAndTheKey() {
        let cases: [(String, String)] = [
            ("timeouts: { head: 10 parsecs }\n", "timeouts.head"),
            ("timeouts: { idle: 99999999999999999d }\n", "timeouts.idle"),
            ("timeouts: { body: 0s }\n", "timeouts.body"),
            ("timeouts: { body_rate: fast }\n", "timeouts.body_rate"),
            ("timeouts: { body_rate: 99999999999999999999GiB/s }\n", "timeouts.body_rate"),
            ("timeouts: { header: 10s }\n", "timeouts.header"),
            ("timeouts: 10s\n", "timeouts"),
            ("shutdown_grace: forever\n", "shutdown_grace"),
            ("shutdown_grace: 2h\n", "shutdown_grace"),
            ("max_body: 99999999999999999999GiB\n", "max_body"),
            ("max_body: -1\n", "max_body"),
        ]
        for (yaml, key) in cases {
            do {
                _ = try Self.parse(yaml)
                Issue.record("accepted: \(yaml)")
            } catch {
                #expect(error.description.hasPrefix("serve.yaml: "), "\(error)")
                #expect(error.description.contains(key), "\(error)")
                #expect(!error.description.contains("\n"), "\(error)")
            }
        }
    }
}
