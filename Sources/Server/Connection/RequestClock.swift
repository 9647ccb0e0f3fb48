import Model

/// The timeouts of one connection as a state machine over what it has seen: bytes arriving, a
/// request's head, body and end, and answers beginning and ending. Plain values and nanosecond
/// instants, so the rules can be tested without a socket; `ConnectionGuard` feeds it and acts.
///
/// - Before a request: `head` from the connection's start (a client that connects says
///   something soon), `idle` after an answer (a kept-alive connection waits that long).
/// - From a request's first byte to the end of its head: `head`.
/// - In a body: no pause longer than `body`, and on average `bodyRate` bytes a second once the
///   body is `body` old, so an honest large upload on a slow link passes and a trickle does not.
/// - While serve owes an answer the client waits for us, not the other way round: no deadline
///   (a pipelined request's clock starts when the answers before it are done).
struct RequestClock: Sendable {
    struct Limits: Sendable {
        var head: Int64
        var body: Int64
        var bodyRate: Int64
        var idle: Int64
        /// How far ahead the guard's timer is set at most. A request's deadlines are never
        /// nearer than this from its first byte, so the timer set between requests is already
        /// early enough for the next one and is not moved on every request (it wakes, finds
        /// time left, and is set again).
        var checkEvery: Int64 { min(head, body) }

        init(_ t: ServeConfig.Timeouts) {
            // Spans from the config are at most an hour; saturating all the same.
            func ns(_ span: Span) -> Int64 {
                let (v, overflow) = span.ms.multipliedReportingOverflow(by: 1_000_000)
                return overflow ? Int64.max : max(0, v)
            }
            head = ns(t.head)
            body = ns(t.body)
            bodyRate = Int64(max(1, t.bodyRate))
            idle = ns(t.idle)
        }
    }

    enum Reading: Equatable, Sendable {
        /// Between requests, since the connection started (`fresh`) or the last one ended.
        case nothing(since: Int64, fresh: Bool)
        case head(since: Int64)
        case body(start: Int64, last: Int64, received: Int64)
    }

    /// What to do when time is up.
    enum Expiry: Equatable, Sendable {
        /// No request in hand (idle, or silent from the start): close without a word.
        case close
        /// 408 with the reason, then close.
        case answer(String)
        /// The answer already began: it cannot become a 408, so close.
        case cut(String)
    }

    let limits: Limits
    let said: ServeConfig.Timeouts
    private(set) var reading: Reading
    /// Requests whose head was read and whose answer has not ended.
    private(set) var owed = 0
    /// The oldest owed request's answer has begun (its head was written).
    private var answerBegun = false
    /// `METHOD /path` of the request being read, for the log.
    private(set) var request = ""
    /// Whether it is under TheHive's paths, whose clients read TheHive's error shape.
    private(set) var theHive = false

    init(_ timeouts: ServeConfig.Timeouts, now: Int64) {
        said = timeouts
        limits = Limits(timeouts)
        reading = .nothing(since: now, fresh: true)
    }

    /// The connection became active: a fresh start.
    mutating func started(at now: Int64) {
        if case .nothing(_, true) = reading { reading = .nothing(since: now, fresh: true) }
    }

    /// Bytes came in (before the HTTP decoder has seen them).
    mutating func bytesArrived(at now: Int64) {
        if case .nothing = reading { reading = .head(since: now) }
    }

    mutating func headRead(_ request: String, theHive: Bool = false, at now: Int64) {
        owed += 1
        if owed == 1 { answerBegun = false }
        self.request = request
        self.theHive = theHive
        reading = .body(start: now, last: now, received: 0)
    }

    mutating func bodyRead(_ count: Int, at now: Int64) {
        guard case .body(let start, _, let received) = reading else { return }
        reading = .body(start: start, last: now, received: plus(received, Int64(count)))
    }

    mutating func requestRead(at now: Int64) {
        reading = .nothing(since: now, fresh: false)
    }

    /// An answer's head was written; 1xx (`100 Continue`) is not the answer.
    mutating func answerBegan(status: Int) {
        if status >= 200 { answerBegun = true }
    }

    mutating func answerEnded(at now: Int64) {
        owed = max(0, owed - 1)
        answerBegun = false
        switch reading {
        case .nothing where owed == 0: reading = .nothing(since: now, fresh: false)
        case .head where owed == 0: reading = .head(since: now)
        // The request being read is now the only one owed: its clock starts now.
        case .body where owed == 1: reading = .body(start: now, last: now, received: 0)
        default: break
        }
    }

    /// When time runs out, or nil while serve owes an answer.
    var deadline: Int64? { pending?.at }

    /// What happens at `now`, or nil when there is time left.
    func expiry(at now: Int64) -> Expiry? {
        guard let pending, now >= pending.at else { return nil }
        return pending.expiry
    }

    private var pending: (at: Int64, expiry: Expiry)? {
        switch reading {
        case .nothing(let since, let fresh):
            guard owed == 0 else { return nil }
            return (plus(since, fresh ? limits.head : limits.idle), .close)
        case .head(let since):
            guard owed == 0 else { return nil }
            return (plus(since, limits.head), .answer("the request head did not arrive within \(said.head) (timeouts.head)"))
        case .body(let start, let last, let received):
            // owed 0: the answer went out before the body was in (an early 401); the rest of
            // the body is still read, under the same rules.
            guard owed <= 1 else { return nil }
            let stall = plus(last, limits.body)
            let (scaled, overflow) = received.multipliedReportingOverflow(by: 1_000_000_000)
            let earned = overflow ? Int64.max : scaled / limits.bodyRate
            let paceAt = plus(plus(start, limits.body), earned)
            let why =
                stall <= paceAt
                ? "the body paused for longer than \(said.body) (timeouts.body)"
                : "the body came slower than \(ByteCount.text(said.bodyRate))/s (timeouts.body_rate)"
            return (min(stall, paceAt), answerBegun || owed == 0 ? .cut(why) : .answer(why))
        }
    }
}

/// `a + b` for non-negative instants and spans, saturating at Int64.max: a deadline past the end
/// of time is no deadline, never one in the past.
func plus(_ a: Int64, _ b: Int64) -> Int64 {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? Int64.max : sum
}
