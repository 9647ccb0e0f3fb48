import Model
import Synchronization

/// One event as framed from an input: a JSON element, a text line, a CSV row or an email.
public struct Record: Sendable {
    public enum Payload: Sendable {
        case json(JSONValue)
        case line(String)
        case csv(header: [String], values: [String])
        case email(String)
        /// evtx_dump's JSON line read straight into its Windows event (`Framer.frameLines`),
        /// for a registry whose Windows format is the one that takes it.
        case windowsEvent(WindowsEventLine)
    }

    public var payload: Payload
    /// The event's text exactly as it arrived: what the signal keeps as its raw body.
    public var raw: String {
        get { rawBody.text }
        set { rawBody = RawBody(newValue) }
    }
    /// `raw`, written only when asked for when the event arrived as a structure.
    public var rawBody: RawBody
    /// Where it came from, for quarantine and messages: `okta.json:17`.
    public var origin: String {
        get { lineNumber.map { "\(source):\($0)" } ?? source }
        set {
            source = newValue
            lineNumber = nil
        }
    }
    /// The origin in parts: the input's name and, for a line of it, the line's number. Every
    /// line-framed record has one, and its text is wanted only when the record is rejected, so
    /// it is spelled out only then.
    private var source: String
    private var lineNumber: Int?

    public init(payload: Payload, raw: String, origin: String) {
        self.init(payload: payload, rawBody: RawBody(raw), origin: origin)
    }

    public init(payload: Payload, rawBody: RawBody, origin: String) {
        self.payload = payload
        self.rawBody = rawBody
        self.source = origin
        self.lineNumber = nil
    }

    /// A record from line `line` of the input `name`.
    init(payload: Payload, raw: String, name: String, line: Int) {
        self.init(payload: payload, rawBody: RawBody(raw), name: name, line: line)
    }

    init(payload: Payload, rawBody: RawBody, name: String, line: Int) {
        self.payload = payload
        self.rawBody = rawBody
        self.source = name
        self.lineNumber = line
    }

    public var json: JSONValue? {
        if case .json(let v) = payload { return v }
        return nil
    }

    public var line: String? {
        if case .line(let s) = payload { return s }
        return nil
    }

    /// What quarantine keeps of a record it refuses: the raw text, and for a CSV row its
    /// header line before it, because a row alone cannot be read again (replayed) without it.
    var quarantineBytes: [UInt8] {
        guard case .csv(let header, _) = payload else { return Array(raw.utf8) }
        return Array((header.map(CSVWriter.escape).joined(separator: ",") + "\n" + raw).utf8)
    }
}

/// A Windows event read from its evtx_dump JSON line without the line's tree
/// (`WindowsEvent.init?(eventJSON:reader:scratch:)`): the Windows format's to normalize.
public final class WindowsEventLine: Sendable {
    /// Taken, not copied, by the normalizing: the signal's fields are the event's System
    /// part grown, and a copy left in the record made growing it copy every member.
    private let event: Mutex<WindowsEvent?>

    init(_ event: consuming WindowsEvent) { self.event = Mutex(event) }

    /// The event; read again from the line when it was taken before (a record normalized twice).
    func take(line raw: RawBody) throws(NormalizeError) -> WindowsEvent {
        if let event = event.withLock({ $0.take() }) { return event }
        var text = raw.text
        var scratch = WindowsEvent.LineScratch()
        let again = text.withUTF8 { WindowsEvent(eventJSON: $0, reader: JSONReader(), scratch: &scratch) }
        guard let again else { throw NormalizeError("windows: the event's line no longer reads as one") }
        return again
    }
}

/// A signal as a format reads it, before artifact extraction and storage.
public struct Normalized: Sendable {
    public var time: Timestamp
    public var source: String
    /// The vendor's id for the event; nil means identity by the raw body's hash.
    public var sourceRef: String? {
        get { makeRef.map { $0(fields) } ?? refText }
        set {
            refText = newValue
            makeRef = nil
        }
    }
    public var kind: SignalKind
    public var severity: Severity
    public var title: String {
        get { makeTitle.map { $0(kind, fields) } ?? titleText }
        set {
            titleText = newValue
            makeTitle = nil
        }
    }
    /// A title and identity a format makes from the kind and fields, made when read rather
    /// than for every event: a hunt reads millions of events and shows the few that match,
    /// and making a Windows event's title and reference was a tenth of normalizing it. Made
    /// from the fields as they are when read; a value set replaces the maker.
    public typealias MakeTitle = @Sendable (SignalKind, JSONObject) -> String
    public typealias MakeRef = @Sendable (JSONObject) -> String?
    // No property has an initial value (`Optional<T>` is spelled out: `T?` would get nil):
    // one that had made every format's init build the signal, copy it whole and destroy the
    // first (a Swift optimizer miss), a hundredth of a hunt. `MatchEvent` had the same.
    private var titleText: String
    private var makeTitle: Optional<MakeTitle>
    private var refText: Optional<String>
    private var makeRef: Optional<MakeRef>
    /// ECS names where ECS has one (`user.name`, `source.ip`, `destination.port`, `host.name`).
    public var fields: JSONObject
    public var raw: String {
        get { rawBody.text }
        set { rawBody = RawBody(newValue) }
    }
    /// `raw`, written only when asked for when the event arrived as a structure.
    public var rawBody: RawBody
    /// Artifacts the format knows from the vendor's structure, with their roles.
    public var artifacts: [ArtifactMention]
    /// Free text worth scanning for more artifacts (messages, command lines, email bodies).
    public var texts: [String]
    /// Fields the format derives from the event's own (a Windows event's ECS names), not yet
    /// in `fields`, and the `texts`: only a format asked to leave them for later does
    /// (`FormatRegistry.derivingLater`), for a hunt that matches most events without them.
    /// `addDerivedFields` adds them; until then `fields`, `texts` and the title lack them
    /// (`addShownFields` adds what the title reads).
    public private(set) var derived: Optional<any DerivedFields>
    /// Whether `derived`'s shown fields are in `fields` already.
    private var derivedShown: Bool

    /// Adds the derived fields, if any are still left out.
    public mutating func addDerivedFields() {
        guard let d = derived else { return }
        derived = nil
        if !derivedShown { d.addShown(to: &fields) }
        d.addRest(to: &fields)
        texts = d.texts(of: fields)
    }

    /// Adds the derived fields the title and a timeline row read (`DerivedFields.addShown`),
    /// leaving the rest to `addDerivedFields` or to `DerivedFields.complete`.
    public mutating func addShownFields() {
        guard let d = derived, !derivedShown else { return }
        derivedShown = true
        d.addShown(to: &fields)
    }

    /// The fields with their shown derived names added, and what adds the rest (nil when
    /// nothing is left out): for a reader that keeps the fields of a few events and completes
    /// them only if asked (`DerivedFields.complete`), without the rest of the signal.
    public consuming func shownFields() -> (fields: JSONObject, rest: (any DerivedFields)?) {
        addShownFields()
        return (fields, derived)
    }

    public init(
        time: Timestamp, source: String, sourceRef: String?, kind: SignalKind, severity: Severity, title: String,
        fields: JSONObject, raw: String, artifacts: [ArtifactMention] = [], texts: [String] = []
    ) {
        self.init(time: time, source: source, sourceRef: sourceRef, kind: kind, severity: severity, title: title,
                  fields: fields, rawBody: RawBody(raw), artifacts: artifacts, texts: texts)
    }

    public init(
        time: Timestamp, source: String, sourceRef: String?, kind: SignalKind, severity: Severity, title: String,
        fields: JSONObject, rawBody: RawBody, artifacts: [ArtifactMention] = [], texts: [String] = []
    ) {
        self.time = time
        self.source = source
        self.refText = sourceRef
        self.kind = kind
        self.severity = severity
        self.titleText = title
        self.fields = fields
        self.rawBody = rawBody
        self.artifacts = artifacts
        self.texts = texts
        makeTitle = nil
        makeRef = nil
        derived = nil
        derivedShown = false
    }

    /// A signal whose title and identity are made from its kind and fields when read, with
    /// `derived` fields left out until asked for (`addDerivedFields`).
    public init(
        time: Timestamp, source: String, sourceRef: @escaping MakeRef, kind: SignalKind, severity: Severity,
        title: @escaping MakeTitle, fields: JSONObject, rawBody: RawBody, texts: [String] = [], derived: (any DerivedFields)? = nil
    ) {
        // Each property set once: delegating and then setting the makers copied the whole
        // signal twice (every format's event, so every event a hunt reads).
        self.time = time
        self.source = source
        self.makeRef = sourceRef
        self.kind = kind
        self.severity = severity
        self.makeTitle = title
        self.fields = fields
        self.rawBody = rawBody
        self.artifacts = []
        self.texts = texts
        self.derived = derived
        titleText = ""
        refText = nil
        derivedShown = false
    }
}

/// Fields a format adds from an event's own, by names it declares with their sources
/// (`FormatRegistry.derivedFieldSources`), left out of a signal until asked for. A class, so
/// that a signal holds what derives them in one allocation, however many parts ask.
public protocol DerivedFields: AnyObject, Sendable {
    /// Adds the names the title and a timeline row read (a Windows event's host, process,
    /// user, ...): what a hunt shows of most detections.
    func addShown(to fields: inout JSONObject)
    /// Adds the others.
    func addRest(to fields: inout JSONObject)
    /// The signal's texts, which are left out with the fields; read from `fields`, the
    /// signal's with the derived fields added.
    func texts(of fields: JSONObject) -> [String]
}

extension DerivedFields {
    /// `fields` (from `Normalized.shownFields`) with the rest of the names added.
    public func complete(_ fields: consuming JSONObject) -> JSONObject {
        addRest(to: &fields)
        return fields
    }
}

/// Why a record could not be normalized; it goes to quarantine with this reason.
public struct NormalizeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    /// Not an error: the record is the format's but holds no event (Suricata's `stats`
    /// counters). It is counted as skipped, with the reason, never quarantined.
    public var isSkip = false
    public init(_ reason: String) { self.reason = reason }

    /// A record to count as skipped, saying why.
    public static func skip(_ reason: String) -> NormalizeError {
        var e = NormalizeError(reason)
        e.isSkip = true
        return e
    }
    public var description: String { reason }
}

/// A vendor format: recognizes its records by structure and turns them into signals.
public protocol Format: Sendable {
    /// The name `--format` takes and quarantine records (`okta`, `suricata`, `cef`).
    var name: String { get }
    /// Whether the record is this format's. Detection is by structure, never by file name,
    /// so a mixed file of every format ingests in one run.
    func accepts(_ record: Record) -> Bool
    /// Top-level keys a JSON object must hold for `accepts` to take it: one of these sets,
    /// every key of it. Empty (the default): no promise, `accepts` is asked of every record.
    /// Detection passes over a format without asking it when an object holds none of the
    /// sets (`FormatRegistry.detect`), so each set must be what `accepts` cannot be true
    /// without, exactly as it looks keys up (`DetectionTests` checks every fixture).
    var jsonMarks: [[String]] { get }
    /// The signals in the record (usually one). Throws when the record claims to be this
    /// format but is not usable (a missing time, a wrong type).
    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized]
    /// `normalize` of a record that makes exactly one signal, without the array: nil when the
    /// format cannot say so (the default), and then `normalize` is asked. A reader of
    /// millions of Windows events made, filled, copied out of and freed an array for each.
    func normalizeOne(_ record: Record) throws(NormalizeError) -> Normalized?
}

extension Format {
    public var jsonMarks: [[String]] { [] }

    public func normalizeOne(_ record: Record) throws(NormalizeError) -> Normalized? { nil }

    /// The record's JSON object, or an error naming the format.
    func object(_ record: Record) throws(NormalizeError) -> JSONValue {
        guard let json = record.json, case .object = json else { throw NormalizeError("\(name): expected a JSON object") }
        return json
    }

    /// A required time: ISO 8601 or epoch seconds/milliseconds.
    func time(_ json: JSONValue, _ paths: String...) throws(NormalizeError) -> Timestamp {
        for path in paths {
            if let v = json.at(path) {
                if case .int(let n) = v, let t = Timestamp(epoch: Double(n)) { return t }
                if case .double(let d) = v, let t = Timestamp(epoch: d) { return t }
                if case .string(let s) = v, let t = Timestamp(parsing: s), Timestamp.plausible.contains(t.ms) { return t }
                throw NormalizeError("\(name): \(path) is not a time: \(v.text.prefix(60))")
            }
        }
        throw NormalizeError("\(name): no time (\(paths.joined(separator: " or ")))")
    }
}

/// An event's raw body: its text as it arrived, or, for an event that arrived as a structure
/// (an EVTX record), the JSON written from it, when first asked for. `taser hunt` never asks:
/// writing every EVTX record's JSON was over a quarter of hunting an EVTX file. Not kept once
/// written: a signal's body is read once, when it is stored.
public struct RawBody: Sendable {
    private enum Storage: Sendable {
        case text(String)
        case json(JSONValue)
        case utf8(ArraySlice<UInt8>)
    }

    private let storage: Storage

    public init(_ text: String) { storage = .text(text) }

    private init(_ storage: Storage) { self.storage = storage }

    /// The JSON text of `value`, written when asked for.
    public static func json(_ value: JSONValue) -> RawBody { RawBody(.json(value)) }

    /// The text of bytes the caller has found to be valid UTF-8, made when asked for: a hunt
    /// reads millions of lines and shows none of their text, and making each line's string
    /// (checking, allocating and copying it) cost it as much as its time.
    static func utf8(valid bytes: ArraySlice<UInt8>) -> RawBody { RawBody(.utf8(bytes)) }

    public var text: String {
        switch storage {
        case .text(let t): t
        case .json(let v): v.text
        case .utf8(let b): String(decoding: b, as: UTF8.self)
        }
    }
}
